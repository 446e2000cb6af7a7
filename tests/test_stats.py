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
    for i in range(7):  # seven residents read the ICE door page in English, then leave
        r = Texter(twilio, number=f"+1312555{i:04d}")
        r.text("hello"), r.text("3"), r.text("1")
    for i in range(3):  # three go to legal help in Spanish and stop there
        r = Texter(twilio, number=f"+1773555{i:04d}")
        r.text("hola"), r.text("5")
    rows = {(r.channel, r.lang, r.node): r for r in stats.read(redis_client, [today()])}
    assert (rows["sms", "en", "main"].reached, rows["sms", "en", "main"].left) == (7, 0)
    assert (rows["sms", "en", "ice"].reached, rows["sms", "en", "ice"].left) == (7, 0)
    assert (rows["sms", "en", "ice_door"].reached, rows["sms", "en", "ice_door"].left) == (7, 7)
    assert (rows["sms", "es", "legal_help"].reached, rows["sms", "es", "legal_help"].left) == (3, 3)

    monkeypatch.setenv("REDIS_URL", redis_url)
    out = CliRunner().invoke(main, ["stats", "--days", "1"]).output
    assert "ice_door" in out and " 7     7" in out
    csv_out = CliRunner().invoke(main, ["stats", "--csv"]).output
    assert f"{today().isoformat()},sms,es,legal_help,<5,<5" in csv_out
    assert f"{today().isoformat()},sms,en,ice_door,7,7" in csv_out

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
        call.press("1").press("3").press("1")   # English, If ICE comes, at your door
    rows = {(r.channel, r.lang, r.node): r for r in stats.read(redis_client, [today()])}
    assert (rows["voice", "en", "ice"].reached, rows["voice", "en", "ice"].left) == (6, 0)
    assert (rows["voice", "en", "ice_door"].reached, rows["voice", "en", "ice_door"].left) == (6, 6)


@pytest.mark.redis_server
def test_a_conversation_crossing_midnight_is_counted_on_the_right_days(twilio, redis_client, clock):
    monday, tuesday = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    resident = Texter(twilio)
    clock.noon(monday)
    resident.text("hello"), resident.text("5")
    clock.noon(tuesday)
    resident.text("1")
    rows = {(r.day, r.node): r for r in stats.read(redis_client, [monday, tuesday])}
    assert rows["2026-11-23", "legal_help"].left == 0      # the resident moved on from there
    assert rows["2026-11-24", "legal_icirr"].left == 1
    assert ("2026-11-24", "legal_help") not in rows
