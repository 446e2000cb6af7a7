"""`hotline siege`: the line as the Procfile starts it, while hostile clients attack it.

Two attacks, each beside residents' signed texts (measured first without the attack):

- `trickle`: slowloris. Clients open connections and send a request's headers one line a
  second, never finishing; a client the server drops connects again.
- `bodies`: clients post unsigned 250 KB bodies of 30,000 form fields, as fast as answered.

Bounded in count and time, and on 127.0.0.1 only (bench.gunicorn binds the Procfile's
command there; the public URL is only signed over).
"""
from __future__ import annotations

import contextlib
import os
import secrets
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from hotline import bench

BODY_FIELDS = 30_000
BODY_BYTES = 250 * 1024


@dataclass
class Texts:
    """Residents' signed texts: how long each took and what came back."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def report(self) -> dict[str, object]:
        ms = sorted(x * 1000 for x in self.latencies)
        return {"sent": sum(self.statuses.values()), "statuses": dict(self.statuses),
                "p50_ms": round(statistics.median(ms), 1) if ms else None,
                "p95_ms": round(ms[max(0, int(len(ms) * 0.95 + 0.5) - 1)], 1) if ms else None,
                "max_ms": round(ms[-1], 1) if ms else None}


def texts(target: bench.Target, count: int, over: float) -> Texts:
    """`count` residents each send one signed first text, evenly spread over `over` seconds,
    each on its own connection and thread (Twilio does not wait for one to send the next)."""
    out = Texts()
    lock = threading.Lock()
    signer = RequestValidator(target.token)

    def one(i: int) -> None:
        params = {**bench._sms_params(f"+1312555{i:04d}"), "Body": "hola"}
        url = target.url("/sms")
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": signer.compute_signature(url, params)}
        started = time.perf_counter()
        try:
            status, _ = bench.post(target.port, "/sms", urlencode(params).encode(), headers)
            kind = str(status)
        except (OSError, ValueError) as exc:
            kind = type(exc).__name__
        with lock:
            out.latencies.append(time.perf_counter() - started)
            out.statuses[kind] += 1

    threads = []
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + i * over / max(count - 1, 1) - time.monotonic()))
        thread = threading.Thread(target=one, args=(i,), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(bench.TIMEOUT + 1)
    return out


def _trickle(port: int, stop: threading.Event, sent: Counter[str]) -> None:
    """A slowloris client: headers one line a second, never the blank line that ends them."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(f"POST /sms HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
                sent["connections"] += 1
                n = 0
                while not stop.wait(1.0):
                    sock.sendall(f"X-Slow-{n}: {'x' * 20}\r\n".encode())
                    n += 1
        except OSError:  # dropped by the server: connect again
            sent["dropped"] += 1
            stop.wait(0.1)


def _bodies(port: int, stop: threading.Event, sent: Counter[str]) -> None:
    """Unsigned 250 KB bodies of 30,000 fields, one after another."""
    pairs = "&".join(f"f{i}=v" for i in range(BODY_FIELDS))
    body = (pairs + "&pad=" + "x" * max(0, BODY_BYTES - len(pairs) - 5)).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    while not stop.is_set():
        try:
            status, _ = bench.post(port, "/sms", body, headers)
            sent[str(status)] += 1
        except (OSError, ValueError) as exc:
            sent[type(exc).__name__] += 1
            stop.wait(0.05)


@contextlib.contextmanager
def attacking(port: int, attack: str, clients: int) -> Iterator[Counter[str]]:
    """`clients` attackers run while the block runs; yields what they saw."""
    run = {"trickle": _trickle, "bodies": _bodies}[attack]
    stop, seen = threading.Event(), Counter[str]()
    threads = [threading.Thread(target=run, args=(port, stop, seen), daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield seen
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)


def measure(target: bench.Target, attack: str, clients: int, count: int, over: float,
            settle: float = 2.0) -> dict[str, object]:
    """Residents' texts without the attack, then with it (after `settle` seconds for the
    attackers to take their connections)."""
    before = texts(target, count, over)
    with attacking(target.port, attack, clients) as seen:
        time.sleep(settle)
        during = texts(target, count, over)
    return {"attack": attack, "clients": clients, "texts": count, "over_s": over,
            "without_attack": before.report(), "under_attack": during.report(), "attackers_saw": dict(seen)}


def run(attack: str, clients: int = 10, count: int = 30, over: float = 6.0) -> dict[str, object]:
    """Start the Procfile's command (and a Redis) as the bench does, and measure."""
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_DEV"}
    with bench.redis_server() as (url, _where), tempfile.TemporaryDirectory() as folder:
        env.update({"REDIS_URL": url, "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
                    "HOTLINE_SECRET": secrets.token_hex(32), "HOTLINE_PUBLIC_URL": bench.PUBLIC})
        with bench.gunicorn("hotline:create_app()", env, Path(folder) / "line.log") as server:
            report = measure(server.target, attack, clients, count, over)
    return {"procfile": bench.procfile_web(), **report}
