"""Whole SMS conversations through POST /sms, signed like Twilio, on real Redis."""
from __future__ import annotations

import re
import time

import pytest
from babel.messages.pofile import read_po

from hotline import gsm
from tests.conftest import BASE, NUMBER, ROOT, Texter, messages, redis_dump, sign, sms_params

SPANISH = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"


def catalog(tag: str) -> dict[tuple[str, str], str]:
    """What the catalog on disk says, read independently of the line's own loader."""
    with open(ROOT / "translations" / tag / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {(m.context or "", m.id): m.string for m in read_po(fh) if m.id and not m.fuzzy}


def say(app, lang: str, node_id: str, field: str = "title") -> str:
    """The text of a node in a language as a resident would see it in an SMS."""
    content = app.extensions["hotline"].content
    node = content.flow.nodes[node_id]
    source = getattr(node, field)
    text = source if lang == "en" else catalog(lang)[(node_id, source)]
    text = " ".join(text.split("\n\n")[0].split())
    text = re.sub(r"\{(\w+)\}", lambda m: content.flow.services[m.group(1)].phone, text)
    return gsm.fold(text) if content.locales[lang].folds else text


def main_options(app) -> tuple[str, ...]:
    return app.extensions["hotline"].content.flow.nodes["main"].options


# --- language choice and keywords -------------------------------------------------

@pytest.mark.parametrize("text", ["?", "Maria", "👍", "1"])
def test_a_first_text_that_says_nothing_of_its_language_gets_each_language_named_in_itself(resident, text):
    reply = resident.text(text)
    assert "1 English" in reply
    assert "2 Español" in reply


def test_choosing_a_language_by_number_shows_the_main_menu_in_it(resident, app):
    resident.text("?")
    reply = resident.text("2")
    assert f"1 {say(app, 'es', 'rights_chicago')}" in reply
    assert say(app, "es", "main", "text")[:40] in reply


@pytest.mark.parametrize("word,lang", [("HOLA", "es"), ("Ayuda", "es"), ("menu", "en"), ("hello", "en")])
def test_a_greeting_starts_directly_in_its_language(resident, app, word, lang):
    reply = resident.text(word)
    assert f"1 {say(app, lang, 'rights_chicago')}" in reply


def test_help_word_explains_the_line_then_shows_the_menu(resident):
    reply = resident.text("HELP")
    assert "not legal advice" in reply
    assert "does not keep your phone number" in reply
    assert "1 Your rights in Chicago" in reply


def test_ayuda_explains_the_line_in_spanish(resident, app):
    reply = resident.text("ayuda")
    help_es = catalog("es")[("notice.help", next(m for c, m in catalog("es") if c == "notice.help"))]
    assert gsm.fold(help_es)[:30] in reply


# --- every main-menu branch, in English and Spanish --------------------------------

@pytest.mark.parametrize("lang,greeting", [("en", "hello"), ("es", "hola")])
def test_every_main_menu_branch(twilio, app, lang, greeting):
    for number, node_id in enumerate(main_options(app), 1):
        resident = Texter(twilio, number=f"+1312555{number:04d}")
        resident.text(greeting)
        reply = resident.text(str(number))
        assert say(app, lang, node_id, "text")[:30] in reply, (lang, node_id, reply)


def test_menus_are_numbered_and_pages_say_how_to_go_back(resident):
    resident.text("hello")
    reply = resident.text("3")  # If ICE comes
    assert "1 ICE at your door" in reply
    reply = resident.text("1")
    assert "warrant signed by a judge" in reply
    assert "#: back. 0: main menu." in reply


def test_a_transfer_gives_the_sourced_number_and_hours(resident):
    resident.text("hello")
    resident.text("5")  # Get legal help
    reply = resident.text("1")  # ICIRR
    assert "1-855-435-7693" in reply
    assert "24 hours" in reply


def test_an_option_can_be_chosen_by_its_words(resident):
    resident.text("hello")
    reply = resident.text("legal help")
    assert "ICIRR" in reply


# --- navigation ---------------------------------------------------------------------

def test_back_home_and_repeat(resident):
    resident.text("hello")
    menu = resident.text("1")
    page = resident.text("1")
    assert resident.text("#") == menu
    assert resident.text("1") == page
    assert resident.text("back") == menu
    assert resident.text("*") == menu
    assert resident.text("repeat") == menu
    main = resident.text("0")
    assert "1 Your rights in Chicago" in main
    resident.text("2")
    assert resident.text("menu") == main


def test_navigation_words_work_in_spanish(resident, app):
    resident.text("hola")
    menu = resident.text("1")
    resident.text("1")
    assert resident.text("atrás") == menu
    assert resident.text("VOLVER") != ""
    assert f"1 {say(app, 'es', 'rights_chicago')}" in resident.text("inicio")


def test_changing_language(resident, app):
    resident.text("hello")
    reply = resident.text("language")
    assert "2 Español" in reply
    assert f"1 {say(app, 'es', 'rights_chicago')}" in resident.text("2")


def test_unknown_input_gets_a_short_notice_and_the_same_menu(resident, app):
    resident.text("hello")
    menu = resident.text("4")
    reply = resident.text("purple elephant")
    assert reply.startswith("Sorry, I did not understand.")
    assert menu in reply
    assert "Sorry, I did not understand." in resident.text("77")


def test_unknown_input_in_spanish_is_answered_in_spanish(resident, app):
    resident.text("hola")
    notice = [v for (c, _), v in catalog("es").items() if c == "notice.unknown"][0]
    assert resident.text("elefante morado").startswith(gsm.fold(notice))


# --- STOP and HELP ------------------------------------------------------------------

@pytest.mark.parametrize("word", ["STOP", "stop", "Unsubscribe", "ALTO", "basta"])
def test_stop_ends_the_session_without_a_reply_on_a_long_code(resident, redis_client, word):
    resident.text("hello")
    assert redis_client.keys("hl:s:*")
    assert resident.text(word) == ""
    assert not redis_client.keys("hl:s:*")


def test_stop_on_a_short_code_gets_the_carrier_confirmation(make_app):
    from tests.conftest import Twilio
    resident = Texter(Twilio(make_app(SMS_SHORT_CODE=True).test_client()))
    resident.text("hello")
    assert "no more messages" in resident.text("STOP")
    assert "Reply STOP to cancel" in resident.text("HELP")


# --- paging -------------------------------------------------------------------------

def test_long_text_is_paged_within_the_segment_budget(make_app):
    from tests.conftest import Twilio
    app = make_app(SMS_SEGMENTS=1)
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    resident.text("3")
    first = resident.text("1")
    assert gsm.segments(first) == 1
    assert re.search(r"\(1/\d\) Reply MORE to read on\.", first)
    pages = [first]
    while "MORE" in pages[-1]:
        pages.append(resident.text("more"))
        assert gsm.segments(pages[-1]) == 1
        assert len(pages) < 10
    assert "#: back. 0: main menu." in pages[-1]
    whole = " ".join(pages)
    assert "judge" in whole and "door" in whole


def test_no_reply_exceeds_the_budget_anywhere(resident, app):
    content = app.extensions["hotline"].content
    from hotline.engine import Reply
    from hotline.sms import SmsSettings, render
    for lang in content.offered:
        for node_id in content.flow.nodes:
            for page in render(content, Reply(node=node_id, lang=lang), SmsSettings()):
                assert gsm.segments(page) <= 3, (lang, node_id)


def test_spanish_replies_are_folded_to_gsm7(resident):
    resident.text("hola")
    for option in ("1", "1"):
        reply = resident.text(option)
    assert gsm.encoding(reply) == gsm.GSM7


# --- sessions -----------------------------------------------------------------------

def test_session_expires_and_the_next_text_starts_over(make_app):
    from tests.conftest import Twilio
    app = make_app(SESSION_TTL=1)
    resident = Texter(Twilio(app.test_client()))
    resident.text("hola")
    resident.text("1")
    time.sleep(2.1)
    assert "2 Español" in resident.text("1")


def test_session_survives_a_new_app_process(make_app):
    from tests.conftest import Twilio
    first = Texter(Twilio(make_app().test_client()))
    first.text("hello")
    menu = first.text("5")
    second = Texter(Twilio(make_app().test_client()))
    assert second.text("*") == menu


def test_redis_holds_no_identifier_or_message_text(twilio, redis_client, caplog):
    caplog.set_level("DEBUG")
    bodies = ["hello", "5", "1", "my name is Maria Lopez", "#", "0", "hola", "2", "STOP"]
    senders = ["+13125550100", "+17735550199"]
    for sender in senders:
        resident = Texter(twilio, number=sender)
        for body in bodies:
            resident.text(body)
    dump = redis_dump(redis_client)
    logs = caplog.text
    for secret in senders + ["3125550100", "7735550199", "Maria", "SM" + "a1" * 16, "AC" + "b2" * 16,
                             "test-secret-never-stored", "60608", "CHICAGO"]:
        assert secret not in dump
        assert secret not in logs
    assert all(k.startswith(b"hl:") for k in redis_client.scan_iter("*"))


# --- signatures and bad input ---------------------------------------------------------

def test_forged_missing_and_stale_url_signatures_get_403(twilio):
    params = sms_params(NUMBER, "hello")
    assert twilio.post("/sms", params, signature=None).status_code == 403
    assert twilio.post("/sms", params, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    stale = sign("https://old-host.example.org/sms", params)
    assert twilio.post("/sms", params, signature=stale).status_code == 403
    tampered = dict(params, Body="something else")
    assert twilio.post("/sms", tampered, signature=sign(BASE + "/sms", params)).status_code == 403


def test_without_a_token_webhooks_are_closed_unless_dev(make_app):
    app = make_app(TWILIO_AUTH_TOKEN=None)
    assert app.test_client().post("/sms", data=sms_params(NUMBER, "hi")).status_code == 403
    dev = make_app(TWILIO_AUTH_TOKEN=None, DEV=True)
    assert messages(dev.test_client().post("/sms", data=sms_params(NUMBER, "hi")))


@pytest.mark.parametrize("params", [
    {"Body": "hello"},                                          # no From
    {"From": NUMBER},                                           # no Body
    {},                                                         # nothing at all
    {"From": NUMBER, "Body": "x" * 5000},
    {"From": NUMBER, "Body": "🙏🙏 ayuda 😢"},
    {"From": NUMBER, "Body": "\x00\x01\x02\xff\ufffd junk"},
    {"From": NUMBER, "Body": "   "},
    {"From": NUMBER, "Body": "9" * 400},
])
def test_bad_input_gets_a_helpful_reply_never_a_5xx(twilio, params):
    replies = messages(twilio.post("/sms", params))
    assert replies and all(r.strip() for r in replies)
    assert all(gsm.segments(r) <= 3 for r in replies)


def test_fallback_and_health(twilio, app):
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").json["status"] == "ok"
    reply = messages(client.post("/fallback", data={"ErrorCode": "11200", "ErrorUrl": BASE + "/sms"}))
    assert "911" in reply[0]


def test_every_phone_number_in_flows_is_in_the_sources():
    sources = ROOT.parent / "shared" / "sources" / "services.md"
    if not sources.exists():
        pytest.skip("../shared/sources/services.md is not beside this checkout")
    pattern = re.compile(r"(?<!\d)(?:1[-. ]?)?\(?\d{3}\)?[-. ]?\d{3}[-. ]?\d{4}(?!\d)")
    known = {re.sub(r"\D", "", m)[-10:] for m in pattern.findall(sources.read_text())}
    for path in (ROOT / "flows").rglob("*.yaml"):
        for line, text in enumerate(path.read_text().splitlines(), 1):
            for number in pattern.findall(text):
                assert re.sub(r"\D", "", number)[-10:] in known, f"{path}:{line}: {number}"
