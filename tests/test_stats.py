"""Staff counts: right numbers after scripted conversations, nothing identifying in Redis."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from hotline.cli import main
from hotline.storage import stats
from tests.conftest import Texter


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@pytest.mark.redis_server
def test_counts_after_scripted_conversations(twilio, redis_client, redis_url, monkeypatch):
    for i in range(7):  # seven residents read the unpaid wages page in English, then leave
        r = Texter(twilio, number=f"+1312555{i:04d}")
        r.text("hello"), r.text("4"), r.text("1")
    for i in range(3):  # three go to rights at work in Spanish and stop there
        r = Texter(twilio, number=f"+1773555{i:04d}")
        r.text("hola"), r.text("4")
    rows = {(r.channel, r.lang, r.node): r for r in stats.read(redis_client, [today()])}
    assert (rows["sms", "en", "main"].reached, rows["sms", "en", "main"].left) == (7, 0)
    assert (rows["sms", "en", "at_work"].reached, rows["sms", "en", "at_work"].left) == (7, 0)
    assert (rows["sms", "en", "wages"].reached, rows["sms", "en", "wages"].left) == (7, 7)
    assert (rows["sms", "es", "at_work"].reached, rows["sms", "es", "at_work"].left) == (3, 3)

    monkeypatch.setenv("REDIS_URL", redis_url)
    out = CliRunner().invoke(main, ["stats", "--days", "1"]).output
    assert "wages" in out and " 7     7" in out
    csv_out = CliRunner().invoke(main, ["stats", "--csv"]).output
    assert f"{today().isoformat()},sms,es,at_work,<5,<5" in csv_out
    assert f"{today().isoformat()},sms,en,wages,7,7" in csv_out

    for key in redis_client.scan_iter("*"):
        assert key.startswith((b"hl:s:", b"hl:c:", b"hl:r:"))
        if key.startswith(b"hl:c:"):
            assert redis_client.ttl(key) > 0
            for name in redis_client.hkeys(key):
                assert not any(ch.isdigit() for ch in name.decode().split("|")[2])  # language tag


def test_calls_are_counted_too(twilio, app, redis_client):
    from tests.conftest import Call
    content = app.extensions["hotline"].content
    for i in range(6):
        call = Call(twilio, content, sid=f"CA{i:032x}", caller=f"+1312555{i:04d}").start()
        call.press("1").press("4").press("1")   # English, Rights at work, Unpaid wages
    rows = {(r.channel, r.lang, r.node): r for r in stats.read(redis_client, [today()])}
    assert (rows["voice", "en", "at_work"].reached, rows["voice", "en", "at_work"].left) == (6, 0)
    assert (rows["voice", "en", "wages"].reached, rows["voice", "en", "wages"].left) == (6, 6)


@pytest.mark.redis_server
def test_a_conversation_crossing_midnight_is_counted_on_the_right_days(twilio, redis_client, clock):
    monday, tuesday = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    resident = Texter(twilio)
    clock.noon(monday)
    resident.text("hello"), resident.text("4")
    clock.noon(tuesday)
    resident.text("2")
    rows = {(r.day, r.node): r for r in stats.read(redis_client, [monday, tuesday])}
    assert rows["2026-11-23", "at_work"].left == 0      # the resident moved on from there
    assert rows["2026-11-24", "call_311"].left == 1
    assert ("2026-11-24", "at_work") not in rows
