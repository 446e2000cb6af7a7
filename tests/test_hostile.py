"""Hostile traffic against the Procfile's own command (gunicorn on 127.0.0.1): slow clients,
big unsigned bodies, broken transfers. Bounds are generous (a shared two-core machine): the
numbers themselves come from `hotline siege`."""
from __future__ import annotations

import contextlib
import os
import secrets
import socket
import time
from urllib.parse import parse_qsl, urlencode

import pytest
from twilio.request_validator import RequestValidator

from hotline import bench
from hotline.bench import siege
from hotline.web import guards as web

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if k not in ("HOTLINE_DEV", "REDIS_URL")}
    with bench.redis_server() as (url, _where):
        env.update({"REDIS_URL": url, "TWILIO_AUTH_TOKEN": secrets.token_hex(16),
                    "HOTLINE_SECRET": secrets.token_hex(32), "HOTLINE_PUBLIC_URL": bench.PUBLIC})
        with bench.gunicorn("hotline:create_app()", env, tmp_path_factory.mktemp("line") / "line.log") as running:
            yield running


def raw(port: int, data: bytes, wait: float = 10.0) -> tuple[int, float]:
    """Send bytes as they are; the status line's code and how long it took to come."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        answer = b""
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n" not in answer and (chunk := sock.recv(4096)):
                answer += chunk
    return int(answer.split()[1]), time.monotonic() - started


def signed_head(target: bench.Target, body: bytes, extra: str = "") -> bytes:
    params = dict(parse_qsl(body.decode()))
    signature = RequestValidator(target.token).compute_signature(target.url("/sms"), params)
    return (f"POST /sms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: {signature}\r\nConnection: close\r\n{extra}").encode()


def test_ten_trickling_clients_leave_thirty_texts_answered(server):
    """Also past the Procfile's --timeout (10 s): no worker is killed for a slow client."""
    workers = {w.pid for w in server.workers}
    report = siege.measure(server.target, "trickle", clients=10, count=30, over=6.0, settle=5.0)
    during = report["under_attack"]
    assert during["statuses"] == {"200": 30}, report
    assert during["p95_ms"] < 2000, report
    assert {w.pid for w in server.workers} == workers


def test_unsigned_big_bodies_barely_slow_residents(server):
    report = siege.measure(server.target, "bodies", clients=3, count=30, over=6.0)
    before, during = report["without_attack"], report["under_attack"]
    assert during["statuses"] == {"200": 30}, report
    assert during["p50_ms"] <= max(4 * before["p50_ms"], 50), report
    assert report["attackers_saw"].get("403", 0) > 0, report


def test_unsigned_is_refused_before_its_body_is_read(server):
    """Headers announce 250 KB that never comes: the 403 comes without waiting for it."""
    head = (f"POST /sms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {250 * 1024}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n").encode()
    status, took = raw(server.target.port, head + b"From=%2B1312")
    assert status == 403 and took < web.BODY_SECONDS


def test_malformed_chunked_body_gets_400(server):
    body = b"From=%2B13125550147&Body=hi"
    head = signed_head(server.target, body, "Transfer-Encoding: chunked\r\n\r\n")
    status, _ = raw(server.target.port, head + b"zz\r\n" + body + b"\r\n0\r\n\r\n")
    assert status == 400


def test_well_formed_chunked_body_is_answered(server):
    body = urlencode({"From": "+13125550147", "Body": "hi"}).encode()
    head = signed_head(server.target, body, "Transfer-Encoding: chunked\r\n\r\n")
    status, _ = raw(server.target.port, head + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    assert status == 200


def test_bodies_past_what_twilio_sends_get_413(server):
    big = b"Body=" + b"x" * web.MAX_BODY
    status, _ = raw(server.target.port, signed_head(server.target, b"", f"Content-Length: {len(big)}\r\n\r\n") + big)
    assert status == 413
    many = "&".join(f"f{i}=v" for i in range(web.MAX_FIELDS + 1)).encode()
    status, _ = raw(server.target.port, signed_head(server.target, b"", f"Content-Length: {len(many)}\r\n\r\n") + many)
    assert status == 413


def test_a_body_that_stops_coming_gets_408(server):
    head = signed_head(server.target, b"", "Content-Length: 1000\r\n\r\n")
    status, took = raw(server.target.port, head + b"From=%2B1312", wait=web.BODY_SECONDS + 10)
    assert status == 408 and took < web.BODY_SECONDS + 5


def test_procfile_runs_threaded_workers(server):
    """The measured choice (README, "Slow and hostile clients"), wherever it is configured."""
    assert "Using worker: gthread" in server.log.read_text(errors="replace")
