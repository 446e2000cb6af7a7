"""Staff sign-in (and the metrics token) against guessing: throttled per client and overall,
while Redis cannot count too, with no race; a token long enough, a sign-out that ends the
sign-in on the server, and malformed input answered 400."""
from __future__ import annotations

import json
import socket

import pytest
import redis

from hotline import bench
from hotline.staff import shared as staff
from hotline.web import throttle
from tests.conftest import redis_dump
from tests.processes import environment
from tests.staff_forms import csrf

STAFF = "staff-token-for-tests-0123456789"


@pytest.fixture
def staff_app(make_app):
    return make_app(STAFF_TOKEN=STAFF)


def wrong(client, n: int, address: str = "203.0.113.7") -> list[int]:
    return [client.post("/staff/login", data={"token": f"guess-{i}"},
                        environ_base={"REMOTE_ADDR": address}).status_code for i in range(n)]


def test_sixty_wrong_sign_ins_from_one_client_are_throttled(staff_app):
    client = staff_app.test_client()
    codes = wrong(client, 60)
    assert codes[:throttle.PER_CLIENT] == [401] * throttle.PER_CLIENT
    assert set(codes[throttle.PER_CLIENT:]) == {429}
    blocked = client.post("/staff/login", data={"token": STAFF}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many wrong tokens" in blocked.get_data(as_text=True)
    # The Bearer header is the same door: throttled alike.
    bearer = client.get("/staff/", headers={"Authorization": f"Bearer {STAFF}"},
                        environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert bearer.status_code == 429
    other = client.post("/staff/login", data={"token": STAFF}, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert other.status_code == 302


def test_a_throttled_client_signs_in_once_the_wait_it_was_told_is_over(staff_app, clock):
    client = staff_app.test_client()
    wrong(client, throttle.PER_CLIENT)
    blocked = client.post("/staff/login", data={"token": STAFF}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert blocked.status_code == 429
    clock.forward(int(blocked.headers["Retry-After"]))
    signed = client.post("/staff/login", data={"token": STAFF}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert signed.status_code == 302


@pytest.mark.redis_server
def test_sixty_wrong_sign_ins_from_many_clients_are_throttled(staff_app, redis_client):
    client = staff_app.test_client()
    codes = [wrong(client, 1, f"198.51.100.{i}")[0] for i in range(60)]
    assert codes[:throttle.OVERALL] == [401] * throttle.OVERALL
    assert set(codes[throttle.OVERALL:]) == {429}
    guesses = [client.get("/staff/", headers={"Authorization": f"Bearer guess-{i}"},
                          environ_base={"REMOTE_ADDR": f"192.0.2.{i}"}).status_code for i in range(5)]
    assert guesses == [429] * 5
    dump = redis_dump(redis_client)
    assert "198.51.100" not in dump  # addresses are hashed


def test_a_short_token_stops_start_up(make_app):
    with pytest.raises(RuntimeError, match=f"HOTLINE_STAFF_TOKEN is 4 characters; it must be at least {staff.MIN_TOKEN}"):
        make_app(STAFF_TOKEN="abcd")
    make_app(STAFF_TOKEN="x" * staff.MIN_TOKEN)


def test_sign_out_ends_the_sign_in_for_every_copy_of_the_cookie(staff_app):
    client = staff_app.test_client()
    assert client.post("/staff/login", data={"token": STAFF}).status_code == 302
    cookie = client.get_cookie("hotline_staff", path="/staff").value
    thief = staff_app.test_client()
    thief.set_cookie("hotline_staff", cookie, path="/staff")
    assert thief.get("/staff/").status_code == 200
    assert client.post("/staff/logout", data={"csrf_token": csrf(client)}).status_code == 302
    assert thief.get("/staff/").status_code == 401
    again = staff_app.test_client()
    again.set_cookie("hotline_staff", cookie, path="/staff")
    assert again.post("/staff/logout").status_code == 401


def test_malformed_input_gets_400(staff_app):
    client = staff_app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {STAFF}"
    bad = ['{"channel": "sms"', "not json", '[]', json.dumps({"channel": "sms", "input": "1", "session": "{"}),
           json.dumps({"channel": "sms", "input": "1", "session": json.dumps({"steps": "x"})}),
           json.dumps({"channel": "sms", "input": "*", "session": json.dumps({"misses": "a"})}),
           json.dumps({"channel": "sms", "input": "MORE", "session": json.dumps({"page": -5})}),
           json.dumps({"channel": "voice", "input": "1", "session": "en.main.0.0." + "main." * 1000})]
    for body in bad:
        response = client.post("/staff/simulate", data=body, content_type="application/json")
        assert response.status_code == 400, body[:60]


@pytest.mark.system
@pytest.mark.parametrize("fault", ["read-only replica", "full under noeviction"])
def test_forty_wrong_sign_ins_are_throttled_while_redis_cannot_count(make_app, redis_process, fault):
    """Redis answers reads but refuses every write (a replica after a failover, or full):
    the process's own count holds the line."""
    app = make_app(STAFF_TOKEN=STAFF, REDIS_URL=redis_process.url)
    client = app.test_client()
    admin = redis.Redis(host="127.0.0.1", port=redis_process.port)
    if fault == "read-only replica":
        admin.replicaof("127.0.0.1", bench.free_port())  # nothing listens there: read-only from now on
    else:
        admin.config_set("maxmemory-policy", "noeviction")
        admin.config_set("maxmemory", "1")
    with pytest.raises(redis.RedisError):
        admin.set("probe", "1")
    codes = wrong(client, 40)
    assert codes == [401] * throttle.PER_CLIENT + [429] * (40 - throttle.PER_CLIENT)
    assert client.post("/staff/login", data={"token": STAFF},
                       environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 429


@pytest.mark.redis_server
def test_counters_evicted_from_redis_still_throttle(staff_app, redis_client):
    client = staff_app.test_client()
    assert wrong(client, throttle.PER_CLIENT) == [401] * throttle.PER_CLIENT
    for key in redis_client.scan_iter(f"{throttle.PREFIX}*"):  # what allkeys-lru may do to them
        redis_client.delete(key)
    assert wrong(client, 5) == [429] * 5


def test_a_right_token_is_not_counted_as_a_guess(staff_app):
    client = staff_app.test_client()
    for _ in range(3 * throttle.PER_CLIENT):
        assert client.get("/staff/", headers={"Authorization": f"Bearer {STAFF}"}).status_code == 200
    assert wrong(client, throttle.PER_CLIENT, "127.0.0.1") == [401] * throttle.PER_CLIENT


def test_wrong_metrics_tokens_are_throttled_and_a_short_one_stops_start_up(make_app):
    token = "metrics-token-0123456789"
    client = make_app(METRICS_TOKEN=token).test_client()
    codes = [client.get("/metrics", headers={"Authorization": f"Bearer guess-{i}"}).status_code for i in range(14)]
    assert codes == [401] * throttle.PER_CLIENT + [429] * 4
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 429
    other = client.get("/metrics", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert other.status_code == 200
    with pytest.raises(RuntimeError, match=f"^HOTLINE_METRICS_TOKEN is 1 characters; it must be at least {staff.MIN_TOKEN}"):
        make_app(METRICS_TOKEN=1)


@pytest.mark.system
def test_two_hundred_fifty_wrong_tokens_at_once_get_no_more_than_the_limit_compared(tmp_path):
    """The Procfile's line (two workers, embedded Redis): 250 connections opened first, then
    a guess sent on each as fast as possible."""
    env = environment(tmp_path / "instance", HOTLINE_STAFF_TOKEN=STAFF)
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as line:
        socks = [socket.create_connection(("127.0.0.1", line.target.port), timeout=30) for _ in range(250)]
        requests = [f"GET /staff/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    f"Authorization: Bearer guess-{i:04d}-{'z' * 24}\r\n\r\n".encode() for i in range(250)]
        for sock, request in zip(socks, requests, strict=True):
            sock.sendall(request)
            sock.shutdown(socket.SHUT_WR)  # gunicorn lingers after answering until the client's FIN
        codes = [sock.recv(12)[9:12] for sock in socks]
        for sock in socks:
            sock.close()
    assert codes.count(b"401") <= throttle.PER_CLIENT
    assert codes.count(b"401") + codes.count(b"429") == 250


@pytest.mark.system
def test_forty_wrong_tokens_on_the_procfile_line_with_a_read_only_redis(redis_process, tmp_path):
    """The audit's case, on real processes: each of the two workers counts on its own while
    Redis refuses writes, so at most twice the limit is compared, never all 40."""
    env = environment(tmp_path / "instance", HOTLINE_STAFF_TOKEN=STAFF, REDIS_URL=redis_process.url)
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as line:
        redis.Redis(host="127.0.0.1", port=redis_process.port).replicaof("127.0.0.1", bench.free_port())
        codes = []
        for i in range(40):
            with socket.create_connection(("127.0.0.1", line.target.port), timeout=10) as sock:
                sock.sendall(f"GET /staff/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             f"Authorization: Bearer guess-{i:04d}-{'z' * 24}\r\n\r\n".encode())
                sock.shutdown(socket.SHUT_WR)
                codes.append(sock.recv(12)[9:12])
    assert codes.count(b"401") <= 2 * throttle.PER_CLIENT
    assert codes.count(b"429") >= 40 - 2 * throttle.PER_CLIENT
