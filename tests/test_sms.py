"""Whole SMS conversations through POST /sms, signed like Twilio, on real Redis."""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from hotline.channels import gsm
from tests.conftest import BASE, NUMBER, ROOT, SMALL, Texter, messages, redis_dump, sign, sms_params


def catalog(tag: str, translations: Path = SMALL / "translations") -> dict[tuple[str, str], str]:
    """What the catalog on disk says, read independently of the line's own loader."""
    with open(translations / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return {(m.context or "", m.id): m.string for m in read_po(fh) if m.id and not m.fuzzy}


def say(app, lang: str, node_id: str, field: str = "title") -> str:
    """The text of a node in a language as a resident would see it in an SMS."""
    content = app.extensions["hotline"].content
    node = content.flow.nodes[node_id]
    source = getattr(node, field)
    text = source if lang == "en" else catalog(lang, Path(app.config["TRANSLATIONS"]))[(node_id, source)]
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


def test_the_language_list_keeps_each_name_as_it_is_written(resident):
    reply = resident.text("?")  # says nothing about its language: the list
    assert gsm.encoding(reply) == gsm.UCS2  # 中文 makes it UCS-2 anyway: folding saves nothing
    for name in ("Español", "Français", "Kreyòl ayisyen", "Português", "Українська"):
        assert name in reply
    assert "Francais" not in reply and "Portugues" not in reply


@pytest.mark.parametrize("word", ["hindi", "basta", "pare"])
def test_everyday_tagalog_words_neither_start_hindi_nor_stop_the_line(resident, app, word):
    assert say(app, "hi", "at_work") not in resident.text(word)
    assert resident.text("hello") != ""


@pytest.mark.content  # the shipped main menu in every shipped language
def test_the_main_menus_first_text_carries_911_and_the_notice_in_every_language(app):
    """Not legal advice, the privacy statement and 911 are the main menu's first paragraph,
    and it comes on the first text with the options, in every language."""
    content = app.extensions["hotline"].content
    from hotline.channels.messaging import render
    from hotline.channels.sms import SmsSettings
    from hotline.engine import Reply
    assert say(app, "en", "main", "text").startswith("Information for immigrants in Chicago. Not legal advice.")
    for lang in content.offered:
        first = render(content, Reply(node="main", lang=lang), SmsSettings())[0]
        assert "911" in first and say(app, lang, "main", "text") in first, lang
        assert f"8 {say(app, lang, 'talk_to_person')}" in first, lang
        assert gsm.segments(first) <= 3, lang
        helped = render(content, Reply(node="main", lang=lang, notice="help"), SmsSettings())
        # After HELP what the line is comes first (it was the question), then the menu.
        assert f"8 {say(app, lang, 'talk_to_person')}" in "".join(helped) and "911" in "".join(helped), lang


@pytest.mark.content  # the shipped page, in every shipped language
def test_ice_at_the_door_says_do_not_open_and_gives_icirr_on_its_first_text_in_every_language(app):
    """The first text of "ICE at your door" is what a resident must act on at once: do not
    open the door, and ICIRR's number. It must not wait for MORE, in any language."""
    content = app.extensions["hotline"].content
    from hotline.channels.messaging import render
    from hotline.channels.sms import SmsSettings
    from hotline.engine import Reply
    icirr = content.flow.services["icirr"].phone
    assert say(app, "en", "ice_door", "text").startswith("Do not open the door.")
    assert say(app, "es", "ice_door", "text").startswith("No abra la puerta.")
    for lang in content.offered:
        first = render(content, Reply(node="ice_door", lang=lang), SmsSettings())[0]
        opening = say(app, lang, "ice_door", "text")  # "Do not open the door. ... ICIRR at {icirr} ..."
        assert icirr in opening and opening in first, lang
        assert gsm.segments(first) <= 3, lang


@pytest.mark.content  # every shipped page
def test_a_page_that_gives_a_number_gives_it_on_its_first_text(app):
    content = app.extensions["hotline"].content
    from hotline.channels.messaging import render
    from hotline.channels.sms import SmsSettings
    from hotline.engine import Reply
    from hotline.flow.model import PAGE
    for node in content.flow.nodes.values():
        numbers = [content.flow.services[s].phone for s in re.findall(r"\{(\w+)\}", node.text)]
        if node.kind != PAGE or not numbers:
            continue
        for lang in content.offered:
            first = render(content, Reply(node=node.id, lang=lang), SmsSettings())[0]
            assert all(n in first for n in numbers), (node.id, lang)


@pytest.mark.content  # every shipped catalog
def test_no_stop_confirmation_asks_for_an_english_restart_word():
    """START restarts the line in English: each language names its own greeting."""
    for tag in ("es", "pl", "zh_Hans", "hi", "ar", "fr", "ht", "pt", "uk", "tl", "ko"):
        stopped = [v for (c, _), v in catalog(tag, ROOT / "translations").items() if c == "sms.shortcode.stop"]
        assert stopped and "START" not in stopped[0], tag


def test_choosing_a_language_by_number_shows_the_main_menu_in_it(resident, app):
    resident.text("?")
    reply = resident.text("2")
    assert f"1 {say(app, 'es', 'rights')}" in reply
    assert say(app, "es", "main", "text")[:40] in reply


@pytest.mark.parametrize("word,lang", [("HOLA", "es"), ("Ayuda", "es"), ("menu", "en"), ("hello", "en")])
def test_a_greeting_starts_directly_in_its_language(resident, app, word, lang):
    reply = resident.text(word)
    assert f"1 {say(app, lang, 'rights')}" in reply


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
    reply = resident.text("4")  # Rights at work
    assert "1 Unpaid wages" in reply
    reply = resident.text("1")
    assert "for every hour you work" in reply
    while "Reply MORE" in reply:
        reply = resident.text("MORE")
    assert "#: back. 0: main menu." in reply


def test_a_transfer_gives_the_sourced_number_and_hours(resident):
    resident.text("hello")
    reply = resident.text("3")  # Talk to a person: Helpers
    assert "1-855-435-7693" in reply
    assert "24 hours" in reply


def test_an_option_can_be_chosen_by_its_words(resident):
    resident.text("hello")
    reply = resident.text("rights at work")
    assert "1 Unpaid wages" in reply


# --- navigation ---------------------------------------------------------------------

def test_back_home_and_repeat(resident):
    resident.text("hello")
    menu = resident.text("4")
    page = resident.text("1")
    assert resident.text("#") == menu
    assert resident.text("1") == page
    assert resident.text("back") == menu
    assert resident.text("*") == menu
    assert resident.text("repeat") == menu
    main = resident.text("0")
    assert "1 Your rights" in main
    resident.text("2")
    assert resident.text("menu") == main


def test_navigation_words_work_in_spanish(resident, app):
    resident.text("hola")
    menu = resident.text("4")
    resident.text("1")
    assert resident.text("atrás") == menu
    assert resident.text("VOLVER") != ""
    assert f"1 {say(app, 'es', 'rights')}" in resident.text("inicio")


def test_changing_language(resident, app):
    resident.text("hello")
    reply = resident.text("language")
    assert "2 Español" in reply
    assert f"1 {say(app, 'es', 'rights')}" in resident.text("2")


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


# --- paging -------------------------------------------------------------------------

def test_long_text_is_paged_within_the_segment_budget(make_app):
    from dataclasses import replace

    from tests.conftest import Twilio
    app = make_app()
    # A budget of one segment is below the allowed range (3 to 10), so start-up would refuse
    # it: set it on the running line instead.
    line = app.extensions["hotline"]
    line.sms = replace(line.sms, budget=1)
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    resident.text("4")
    first = resident.text("1")  # Unpaid wages
    assert gsm.segments(first) == 1
    assert re.search(r"\(1/\d\) Reply MORE to read on\.", first)
    pages = [first]
    while "MORE" in pages[-1]:
        pages.append(resident.text("more"))
        assert gsm.segments(pages[-1]) == 1
        assert len(pages) < 10
    assert "#: back. 0: main menu." in pages[-1]
    whole = " ".join(pages)
    assert "every hour" in whole and "three years" in whole


@pytest.mark.content  # every shipped node in every shipped language
def test_no_reply_exceeds_the_budget_anywhere(resident, app):
    content = app.extensions["hotline"].content
    from hotline.channels.messaging import render
    from hotline.channels.sms import SmsSettings
    from hotline.engine import Reply
    for lang in content.offered:
        for node_id in content.flow.nodes:
            for page in render(content, Reply(node=node_id, lang=lang), SmsSettings()):
                assert gsm.segments(page) <= 3, (lang, node_id)


def test_no_message_exceeds_1600_characters_whatever_the_budget(app):
    """Twilio refuses a longer body (21617): 20 segments would hold 3,060 GSM-7 characters,
    yet a long text is still paged at 1,600."""
    from hotline.channels.messaging import paginate
    from hotline.channels.sms import SmsSettings
    english = app.extensions["hotline"].content.texts_for("en")
    head = [" ".join(f"Sentence {i} of paragraph {n} about the ordinance." for i in range(23)) for n in range(2)]
    assert 1600 < len("\n\n".join(head)) and gsm.segments("\n\n".join(head)) <= 20
    pages = paginate(head, ["#: back. 0: main menu."], english, SmsSettings(budget=20), folds=False)
    assert len(pages) == 2 and all(len(p) <= 1600 for p in pages)
    assert all(f"Sentence 22 of paragraph {n} " in " ".join(pages) for n in range(2))


def test_spanish_replies_are_folded_to_gsm7(resident):
    resident.text("hola")
    for option in ("4", "1"):
        reply = resident.text(option)
    assert gsm.encoding(reply) == gsm.GSM7


# --- sessions -----------------------------------------------------------------------

@pytest.mark.redis_server
def test_session_expires_and_the_next_text_starts_over(make_app):
    from tests.conftest import Twilio
    app = make_app(SESSION_TTL=1)
    resident = Texter(Twilio(app.test_client()))
    resident.text("hola")
    resident.text("1")
    time.sleep(2.1)
    assert "2 Español" in resident.text("1")


@pytest.mark.redis_server
def test_session_survives_a_new_app_process(make_app):
    from tests.conftest import Twilio
    first = Texter(Twilio(make_app().test_client()))
    first.text("hello")
    menu = first.text("4")
    second = Texter(Twilio(make_app().test_client()))
    assert second.text("*") == menu


@pytest.mark.redis_server
def test_redis_holds_no_identifier_or_message_text(twilio, redis_client, caplog):
    caplog.set_level("DEBUG")
    bodies = ["hello", "4", "1", "my name is Maria Lopez", "#", "0", "hola", "2", "STOP"]
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


@pytest.mark.content  # the shipped flows
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
