"""Opt-out, opt-in and help words by SMS as Twilio really treats them, through signed
webhooks: on a long code Twilio answers its own English words (the line acts on them and
stays silent, so the resident gets one reply); every other language's opt-out word is
answered by the line, in that language; on a short code the line answers everything."""
from __future__ import annotations

import pytest

from hotline.channels import gsm
from hotline.languages.phrases import SHORT_CODE_HELP, STOPPED
from tests.conftest import SHORT_CODE, Texter, Twilio
from tests.test_sms import catalog, say


def phrase(tag: str, phrase) -> str:
    """A phrase as the catalog on disk has it, folded as SMS sends it where the language folds."""
    text = phrase.text if tag == "en" else catalog(tag)[phrase]
    return gsm.fold(text) if tag in ("es", "pl", "fr", "pt", "ht") else text


def test_alto_in_a_spanish_conversation_gets_a_spanish_confirmation(resident, redis_client):
    resident.text("hola")
    assert redis_client.keys("hl:s:*")
    confirmation = resident.text("ALTO")
    assert confirmation == phrase("es", STOPPED)
    assert "Ya no recibira mensajes" in confirmation
    assert not redis_client.keys("hl:s:*")


@pytest.mark.parametrize("word", ["basta", "PARAR", "Cancelar"])
def test_other_spanish_opt_out_words_are_confirmed_too(resident, redis_client, word):
    resident.text("hola")
    assert resident.text(word) == phrase("es", STOPPED)
    assert not redis_client.keys("hl:s:*")


def test_an_opt_out_word_in_another_script_is_confirmed_in_its_language(resident, redis_client):
    assert resident.text("СТОП") == phrase("uk", STOPPED)  # no conversation yet: the word's language
    resident.text("привіт")
    assert resident.text("відписатися") == phrase("uk", STOPPED)
    assert not redis_client.keys("hl:s:*")


@pytest.mark.parametrize("word", ["STOP", "stop", "STOPALL", "Unsubscribe", "CANCEL", "END", " quit ", "REVOKE",
                                  "OPTOUT", "optout"])
def test_twilios_own_opt_out_words_get_no_reply_and_forget(resident, redis_client, word):
    resident.text("hola")
    resident.text("4")
    assert resident.text(word) == ""  # Twilio confirms; a reply from the line would fail (21610)
    assert not redis_client.keys("hl:s:*")
    assert "1 English" in resident.text("5")  # forgotten: a new conversation starts with the languages


def test_start_in_a_spanish_conversation_keeps_spanish_and_sends_no_second_reply(resident, app):
    resident.text("hola")
    resident.text("4")
    for word in ("START", "yes", "Unstop"):
        assert resident.text(word) == ""  # Twilio's own reply is the one
    assert f"1 {say(app, 'es', 'rights')}" in resident.text("0")


def test_help_on_a_long_code_gets_only_twilios_reply(resident, app):
    resident.text("hola")
    resident.text("4")
    assert resident.text("HELP") == "" and resident.text("info") == ""
    assert say(app, "es", "wages", "text") in resident.text("1")  # still in Spanish, still where they were


def test_help_in_the_residents_language_is_answered_by_the_line(resident):
    resident.text("hola")
    assert "no es asesoria legal" in resident.text("AYUDA").lower()


@pytest.mark.parametrize("kind,body", [("STOP", "ALTO"), ("STOP", "PARE"), ("START", "INICIO"), ("HELP", "AYUDA")])
def test_advanced_opt_out_tells_the_line_that_twilio_answered(resident, redis_client, kind, body):
    """With Advanced Opt-Out, Twilio answers its configured words (in any language) and says
    which kind the message was: the line acts on it and sends nothing more."""
    resident.text("hola")
    assert resident.text(body, OptOutType=kind) == ""
    assert bool(redis_client.keys("hl:s:*")) is (kind != "STOP")


def test_a_short_code_answers_everything_naming_who_runs_the_line(make_app, redis_client):
    resident = Texter(Twilio(make_app(**SHORT_CODE).test_client()))
    resident.text("hello")
    help_text = resident.text("HELP")
    assert "not legal advice" in help_text.casefold() and SHORT_CODE_HELP.text in help_text
    assert SHORT_CODE["ORG_NAME"] in help_text and SHORT_CODE["ORG_CONTACT"] in help_text
    assert resident.text("REVOKE") == f"{SHORT_CODE['ORG_NAME']}: {STOPPED.text}"
    assert not redis_client.keys("hl:s:*")


def test_a_short_code_answers_in_the_residents_language(make_app, app):
    resident = Texter(Twilio(make_app(**SHORT_CODE).test_client()))
    resident.text("hola")
    resident.text("4")
    help_text = resident.text("HELP")
    assert phrase("es", SHORT_CODE_HELP) in help_text and SHORT_CODE["ORG_CONTACT"] in help_text
    assert f"1 {say(app, 'es', 'rights')}" in resident.text("START")  # START keeps Spanish
    assert resident.text("STOP") == f"{SHORT_CODE['ORG_NAME']}: {phrase('es', STOPPED)}"


def test_a_short_code_without_an_organisation_does_not_start(make_app):
    with pytest.raises(RuntimeError, match="HOTLINE_ORG_NAME"):
        make_app(SMS_SHORT_CODE=True)


def test_a_contact_number_from_the_environment_is_named_as_written(make_app, monkeypatch):
    monkeypatch.setenv("HOTLINE_ORG_CONTACT", "3125550100")  # read as JSON: a number
    resident = Texter(Twilio(make_app(SMS_SHORT_CODE=True, ORG_NAME="Line").test_client()))
    resident.text("hello")
    assert "Line (3125550100)." in resident.text("HELP")


# Everyday words are no opt-out words: "tama na" is Tagalog for "enough!", "pare" Tagalog
# for "buddy" and Portuguese for "stop it!", "basta" Tagalog for "just". Twilio's words and
# each language's own opt-out words still work.
GREETING = {"tl": "kumusta", "pt": "olá"}


@pytest.mark.parametrize("lang,word", [("tl", "TAMA NA"), ("tl", "tama na!"), ("tl", "pare"), ("tl", "Basta"),
                                       ("pt", "PARE"), ("pt", "Pare!")])
def test_an_everyday_word_does_not_opt_out_a_resident_of_that_language(resident, redis_client, lang, word):
    resident.text(GREETING[lang])
    reply = resident.text(word)
    assert reply and reply != phrase(lang, STOPPED)
    assert redis_client.keys("hl:s:*")  # the conversation goes on


@pytest.mark.parametrize("word", ["tama na", "PARE", "basta"])
def test_an_everyday_tagalog_word_as_a_first_text_opts_no_one_out(resident, redis_client, word):
    reply = resident.text(word)
    assert reply and all(phrase(tag, STOPPED) != reply for tag in ("es", "pt", "tl"))
    assert redis_client.keys("hl:s:*")


@pytest.mark.parametrize("lang,word", [("tl", "TIGIL"), ("tl", "hinto"), ("pt", "PARAR"), ("pt", "sair")])
def test_a_languages_own_opt_out_words_still_opt_out(resident, redis_client, lang, word):
    resident.text(GREETING[lang])
    assert resident.text(word) == phrase(lang, STOPPED)
    assert not redis_client.keys("hl:s:*")


@pytest.mark.parametrize("lang", ["tl", "pt"])
def test_twilios_words_still_opt_out_tagalog_and_portuguese_residents(resident, redis_client, lang):
    resident.text(GREETING[lang])
    assert resident.text("STOP") == ""  # Twilio confirms
    assert not redis_client.keys("hl:s:*")
