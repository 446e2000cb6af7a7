"""Always answers, keeps nothing: Redis dying mid-conversation, texts crossing, floods."""
from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from hotline.storage.sessions import PREFIX, decode
from tests.conftest import NUMBER, Texter, Twilio, messages, sms_params
from tests.processes import sentinel


@pytest.mark.system
def test_redis_killed_mid_conversation_every_answer_is_twiml_and_sessions_come_back(make_app, redis_process):
    server = redis_process
    app = make_app(REDIS_URL=server.url, REDIS_RETRY_AFTER=0.3)
    resident = Texter(Twilio(app.test_client()))
    client = app.test_client()
    assert "1 Your rights" in resident.text("hello")
    assert "1 Unpaid wages" in resident.text("4")

    server.kill()
    during = resident.text("1")          # no session: the line answers as to a first text
    assert during.strip()
    assert "1 Your rights" in during or "English" in during
    assert client.get("/healthz").json["status"] == "degraded"
    assert resident.text("hola").strip()

    server.start()
    time.sleep(0.4)
    resident.text("hello")
    assert "1 Unpaid wages" in resident.text("4")
    assert "every hour you work" in resident.text("1")   # the session is kept again
    assert client.get("/healthz").json["status"] == "ok"


@pytest.mark.redis_server
def test_fifty_texts_at_once_from_one_number(app, redis_client):
    twilio = Twilio(app.test_client())
    Texter(twilio).text("hello")
    answers: list[list[str]] = []
    errors: list[BaseException] = []

    def send(body: str) -> None:
        try:
            answers.append(messages(Twilio(app.test_client()).post("/sms", sms_params(NUMBER, body))))
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(["1", "#", "*", "0", "2"][i % 5],)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(answers) == 50 and all(a and a[0].strip() for a in answers)
    [key] = redis_client.keys(PREFIX + "*")
    session = decode(redis_client.get(key))
    assert session is not None and session.lang == "en"
    assert session.steps == 51   # every one of the 51 texts was applied exactly once


@pytest.mark.redis_server
def test_a_flooding_number_is_told_once_then_gets_no_reply(make_app):
    app = make_app()
    resident = Texter(Twilio(app.test_client()))
    replies = [resident.text("hello" if i == 0 else "*") for i in range(100)]
    assert all(r for r in replies[:60])
    assert "sent many messages" in replies[60]
    assert replies[61:] == [""] * 39
    other = Texter(Twilio(app.test_client()), number="+17735550123")
    assert other.text("hello")


@pytest.mark.redis_server
def test_over_the_line_wide_limit_new_texters_get_the_busy_text_and_conversations_go_on(make_app, redis_client):
    app = make_app(RATE_GLOBAL_PER_MINUTE=5)
    twilio = Twilio(app.test_client())
    under_way = Texter(twilio, number="+13125559999")
    assert "1 Your rights" in under_way.text("hello")
    answered = [Texter(twilio, number=f"+1312555{i:04d}").text("hello") for i in range(8)]
    assert all("1 Your rights" in a for a in answered[:4])
    busy = answered[4:]
    assert all("problem right now" in a and "911" in a and "Your rights" not in a for a in busy)
    assert len(redis_client.keys(PREFIX + "*")) == 5  # nothing kept for those told to come back
    assert "1 Unpaid wages" in under_way.text("4")  # over the limit, a conversation goes on
    assert "problem right now" in Texter(twilio, number="+13125550004").text("hello")  # never silence


@pytest.mark.redis_server
def test_caller_key_changes_every_day_and_a_conversation_crosses_midnight(app, redis_client, clock):
    store = app.extensions["hotline"].store
    monday, tuesday = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    assert store.caller_hash("sms", NUMBER, monday) != store.caller_hash("sms", NUMBER, tuesday)
    assert store.caller_hash("sms", NUMBER, monday) == store.caller_hash("sms", NUMBER, monday)
    resident = Texter(Twilio(app.test_client()))
    clock.noon(monday)
    resident.text("hello")
    menu = resident.text("4")
    clock.noon(tuesday)
    assert resident.text("*") == menu
    assert redis_client.keys(PREFIX + "*") == [(PREFIX + store.caller_hash("sms", NUMBER, tuesday)).encode()]


@pytest.mark.system
def test_redis_url_may_name_a_sentinel_set(make_app, redis_process, tmp_path):
    """A Sentinel watching the server: REDIS_URL=redis+sentinel://host:port/service."""
    with sentinel(tmp_path, redis_process) as port:
        app = make_app(REDIS_URL=f"redis+sentinel://127.0.0.1:{port}/hotline/0")
        resident = Texter(Twilio(app.test_client()))
        resident.text("hello")
        assert "1-855-435-7693" in resident.text("3")  # Talk to a person: Helpers
        assert redis_process.client().keys(PREFIX + "*")


@pytest.mark.system
def test_healthz_is_not_ok_while_redis_refuses_writes(make_app, redis_process):
    """A full Redis (maxmemory reached, noeviction) still answers PING but refuses every
    write, so every text would lose its session: /healthz must say so."""
    app = make_app(REDIS_URL=redis_process.url)
    client = app.test_client()
    assert client.get("/healthz").json["status"] == "ok"
    full = redis_process.client()
    full.config_set("maxmemory-policy", "noeviction")
    full.config_set("maxmemory", "1")
    assert full.ping()
    assert client.get("/healthz").json["status"] == "degraded"
    assert Texter(Twilio(client)).text("hello").strip()  # residents are still answered
    full.config_set("maxmemory", "0")
    assert client.get("/healthz").json["status"] == "ok"
