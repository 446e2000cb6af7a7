"""Staff sign-in against guessing: throttled per client and overall, a token long enough,
a sign-out that ends the sign-in on the server, and malformed input answered 400."""
from __future__ import annotations

import json

import pytest

from hotline.staff import shared as staff
from hotline.staff import throttle
from tests.conftest import redis_dump
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
