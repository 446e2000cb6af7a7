"""Edges found in review: settings read as words, digits int() cannot read, short words,
odd signatures, a bad REDIS_URL, a language CLDR does not know, opt-outs while limited."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest

from hotline import config
from hotline.content import load_content
from tests.conftest import NUMBER, SHORT_CODE, SMALL, Texter, Twilio, sms_params


@pytest.mark.parametrize("word,on", [("False", False), ("off", False), ("0", False), ("no", False),
                                     ("1", True), ("true", True), ("on", True)])
def test_switches_read_as_words(monkeypatch, word, on):
    monkeypatch.setenv("HOTLINE_DEV", word)
    monkeypatch.setenv("HOTLINE_SMS_SHORT_CODE", word)
    cfg = config.read()
    assert cfg["DEV"] is on and cfg["SMS_SHORT_CODE"] is on


@pytest.mark.parametrize("digit", ["፩", "𐩀", "᧚"])
def test_digits_int_cannot_read_are_not_understood_not_an_error(resident, digit):
    resident.text("hello")
    assert resident.text(digit).startswith("Sorry, I did not understand.")


@pytest.mark.parametrize("greeting,lang,word", [("hola", "es", "sí"), ("hola", "es", "a"), ("hola", "es", "de"),
                                                ("hello", "en", "the"), ("hello", "en", "you")])
def test_a_short_common_word_names_no_option(app, resident, greeting, lang, word):
    from hotline.channels import gsm
    from hotline.languages.phrases import NOT_UNDERSTOOD

    notice = app.extensions["hotline"].content.texts_for(lang).phrase(NOT_UNDERSTOOD)
    resident.text(greeting)
    assert resident.text(word).startswith(gsm.fold(notice))


def test_a_signature_in_other_characters_is_forbidden(twilio):
    response = twilio.post("/sms", sms_params(NUMBER, "hello"), signature="sígnätürę✓")
    assert response.status_code == 403


def test_a_bad_redis_url_stops_the_app_at_start(make_app):
    with pytest.raises(ValueError):
        make_app(REDIS_URL="http://example.org")


def test_a_language_cldr_does_not_know_can_be_added_with_its_name(tmp_path):
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True)
    flows, translations = tmp_path / "flows", tmp_path / "translations"
    with (translations / "locales.yaml").open("a") as fh:
        fh.write("mam:\n  name: Qyol Mam\n  sms: gsm7\n")
    content = load_content(flows, translations)
    assert content.locales["mam"].name == "Qyol Mam"
    assert "mam" not in content.offered  # no catalog yet: a draft
    (translations / "locales.yaml").write_text((translations / "locales.yaml").read_text() + "yua: Maaya\n")
    with pytest.raises(ValueError, match="yua"):
        load_content(flows, translations)


def test_stop_is_never_rate_limited(make_app, redis_client):
    resident = Texter(Twilio(make_app(**SHORT_CODE, RATE_PER_MINUTE=3).test_client()))
    replies = [resident.text(body) for body in ("hello", "1", "#", "*", "*")]
    assert "sent many messages" in replies[3] and replies[4] == ""  # over the limit: silent
    assert "no more messages" in resident.text("STOP")
    assert not redis_client.keys("hl:s:*")


def test_over_the_hourly_limit_the_notice_comes_once(make_app):
    resident = Texter(Twilio(make_app(RATE_PER_MINUTE=3, RATE_PER_HOUR=4).test_client()))
    replies = [resident.text("*" if i else "hello") for i in range(8)]
    assert [bool(r) for r in replies[:4]] == [True] * 4
    notices = [r for r in replies[4:] if "sent many messages" in r]
    assert len(notices) == 1 and replies[4] == notices[0]


def test_a_quieted_number_is_answered_again_the_next_minute_and_the_next_hour(make_app, clock):
    clock.noon(dt.date(2026, 12, 7))  # a minute on is the same hour (from the real time, it may not be)
    resident = Texter(Twilio(make_app(RATE_PER_MINUTE=3, RATE_PER_HOUR=6).test_client()))
    replies = [resident.text(body) for body in ("hello", "3", "*", "*", "*")]
    assert "sent many messages" in replies[3] and replies[4] == ""
    clock.forward(60)
    assert resident.text("*") == replies[2]  # a new minute: the conversation goes on where it was
    assert "sent many messages" in resident.text("*")  # past the hour's limit: told once, then quiet
    assert resident.text("*") == ""
    clock.forward(3600)
    assert resident.text("*") == replies[2]
