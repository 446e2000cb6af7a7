"""The Procfile's `web:` command, run as a platform runs it (real gunicorn processes, no
REDIS_URL): one embedded Redis shared by every worker and gone with the line, workers that
are killed coming back into the same conversations, a broken file on disk never taking the
line down, and the operator's view (/healthz, /metrics, JSON log lines)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from twilio.request_validator import RequestValidator

from hotline import bench
from tests.conftest import ROOT

pytestmark = pytest.mark.system  # real processes: left out of the quick loop

TOKEN = "procfile-test-token"
METRICS_TOKEN = "metrics-test-token-0123456789"


@pytest.fixture
def instance(tmp_path) -> Path:
    return tmp_path / "instance"


def environment(instance: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("HOTLINE_")}
    env.update(TWILIO_AUTH_TOKEN=TOKEN, HOTLINE_SECRET="procfile-test-secret", HOTLINE_PUBLIC_URL=bench.PUBLIC,
               HOTLINE_INSTANCE=str(instance), HOTLINE_METRICS_TOKEN=METRICS_TOKEN, HOTLINE_RELOAD_INTERVAL="0.2",
               WEB_CONCURRENCY="2", **extra)
    return env


@pytest.fixture
def line(instance, tmp_path) -> Iterator[bench.Server]:
    with bench.gunicorn("hotline:create_app()", environment(instance), tmp_path / "line.log") as server:
        yield server


def text(server: bench.Server, number: str, body: str) -> str:
    params = {"From": number, "To": "+15557654321", "Body": body, "MessageSid": "SM" + "e5" * 16,
              "AccountSid": "AC" + "b2" * 16, "NumMedia": "0"}
    signature = RequestValidator(TOKEN).compute_signature(bench.PUBLIC + "/sms", params)
    from urllib.parse import urlencode

    status, answer = bench.post(server.target.port, "/sms", urlencode(params).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded",
                                 "X-Twilio-Signature": signature})
    assert status == 200, (status, answer)
    return "\n".join(m.text or "" for m in ET.fromstring(answer).iter("Message"))


def get(server: bench.Server, path: str, token: str | None = None) -> tuple[int, bytes]:
    import http.client

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
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        fresh = {w.pid for w in server.workers}
        if len(fresh) == 2 and not fresh & old and (not healthy or get(server, "/healthz")[0] == 200):
            return
        time.sleep(0.1)
    raise AssertionError("the workers did not come back")


def embedded_servers(instance: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(instance) in part for part in proc.info["cmdline"] or ()):
            found.append(proc)
    return found


NUMBERS = [f"+1312555{n:04d}" for n in range(3000, 3020)]


def test_every_worker_shares_one_embedded_redis_and_it_stops_with_the_line(instance, tmp_path):
    with bench.gunicorn("hotline:create_app()", environment(instance), tmp_path / "line.log") as server:
        for number in NUMBERS:
            assert "Your rights in Chicago" in text(server, number, "hello")
        # Second texts land on either worker: each must find its conversation.
        assert sum("ICE at your door" in text(server, number, "3") for number in NUMBERS) == 20
        kill_every_worker(server)
        assert sum("warrant" in text(server, number, "1") for number in NUMBERS) == 20
        assert len(embedded_servers(instance)) == 1
        master = server.proc
    assert master.poll() is not None
    deadline = time.monotonic() + 10
    while embedded_servers(instance) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert embedded_servers(instance) == []


def test_a_broken_file_on_disk_never_takes_the_line_down(instance, tmp_path):
    flows = shutil.copytree(ROOT / "flows", tmp_path / "flows")
    env = environment(instance, HOTLINE_FLOWS=str(flows))
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as server:
        spanish = text(server, NUMBERS[0], "hola")
        assert "Sus derechos" in spanish
        (flows / "main.yaml").write_text("nodes:\n  main: [half saved")  # a staff member's half-saved edit
        time.sleep(0.5)
        assert text(server, NUMBERS[0], "0") == spanish
        kill_every_worker(server)
        assert server.proc.poll() is None  # the master stays up
        assert text(server, NUMBERS[0], "0") == spanish
        assert text(server, NUMBERS[1], "hola") == spanish
    log = (tmp_path / "line.log").read_text()
    assert "Worker failed to boot" not in log
    # A restart of the whole line (a deploy) boots from the last good version too.
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "again.log") as server:
        assert text(server, NUMBERS[2], "hola") == spanish
    # With no good version anywhere, it refuses to start, and says why in one message.
    fresh = subprocess.run(bench.procfile_argv("hotline:create_app()", bench.free_port(),
                                               environment(tmp_path / "new-instance", HOTLINE_FLOWS=str(flows))),
                           cwd=ROOT, env=environment(tmp_path / "new-instance", HOTLINE_FLOWS=str(flows)),
                           capture_output=True, text=True, timeout=60)
    assert fresh.returncode != 0
    assert "The line cannot start" in fresh.stderr and "hotline check" in fresh.stderr
    assert "Traceback" not in fresh.stderr


def test_operators_see_json_logs_metrics_and_health(line, tmp_path):
    for number in NUMBERS[:5]:
        text(line, number, "hello")
        text(line, number, "3")
    status, body = get(line, "/metrics", METRICS_TOKEN)
    assert status == 200
    from prometheus_client.parser import text_string_to_metric_families

    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    answered = [s for s in families["hotline_requests"].samples
                if s.name == "hotline_requests_total" and s.labels == {"channel": "sms", "outcome": "answered"}]
    assert answered and answered[0].value == 10  # both workers' counts, added up
    offered = {s.labels["language"]: s.value for s in families["hotline_language_offered"].samples}
    assert offered["es"] == 1 and len(offered) == 12
    for number in NUMBERS[:5]:
        assert number[2:].encode() not in body
    assert b"SM" + b"e5" * 16 not in body and b"hello" not in body
    assert get(line, "/metrics")[0] == 401
    assert get(line, "/metrics", "wrong")[0] == 401
    health = json.loads(get(line, "/healthz")[1])
    assert health["status"] == "ok" and len(health["languages"]) == 12

    lines = [json.loads(x) for x in (tmp_path / "line.log").read_text().splitlines() if x.strip()]
    assert all({"time", "level", "message"} <= entry.keys() for entry in lines)
    serving = [e for e in lines if e["message"].startswith("now serving")]
    assert serving and serving[0]["level"] == "INFO" and "es" in serving[0]["message"]
    assert not any(n[2:] in e["message"] for e in lines for n in NUMBERS)
