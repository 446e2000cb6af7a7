"""The voice line: whole calls through POST /voice and the URLs its TwiML names, signed
the way Twilio signs them, by keys and by speech, in English and Spanish."""
from __future__ import annotations

import dataclasses
import logging
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from click.testing import CliRunner

from hotline.channels import calls, voice
from hotline.channels.render import fill, paragraphs, service_name, title
from hotline.cli import main as cli
from hotline.content import Content
from hotline.engine import Session
from hotline.flow.model import MENU, TRANSFER
from hotline.languages.phrases import (
    KEY_BACK,
    NOT_UNDERSTOOD,
    VOICE_GOODBYE,
    VOICE_LANGUAGE,
    VOICE_OTHER_LANGUAGES,
    VOICE_PERSON,
    VOICE_PRESS,
    VOICE_SILENCE,
    VOICE_UNANSWERED,
)
from tests.conftest import BASE, CALL_SID, CALLER, Call, redis_dump, sign


@pytest.fixture
def content(app) -> Content:
    return app.extensions["hotline"].content


@pytest.fixture
def call(twilio, content) -> Call:
    return Call(twilio, content)


def texts(content: Content, tag: str | None = "en"):
    return content.texts_for(tag)


def digit_for(content: Content, tag: str) -> str:
    return str(voice.heard_languages(content, voice.VoiceSettings()).index(tag) + 1)


def first_paragraph(content: Content, node_id: str, tag: str = "en") -> str:
    node = content.flow.nodes[node_id]
    first = paragraphs(content.texts_for(tag), node)[0]
    return fill(first, content.flow, lambda s: voice.spell(s.phone))


def english(call: Call) -> Call:
    return call.start().press(digit_for(call.content, "en"))


# A new call ------------------------------------------------------------------------------

def test_a_new_call_hears_a_welcome_and_each_language_in_its_own_voice(call, content):
    call.start()
    says = call.says
    assert "Welcome" in says[0].text
    assert (says[0].get("language"), says[0].get("voice")) == ("en-US", "Polly.Joanna")
    page = voice.heard_languages(content, voice.VoiceSettings())[:voice.PER_PAGE]
    offers = [(s.get("language"), s.get("voice"), s.text) for s in says[1:len(page) + 1]]
    expected = [(*call._voice(tag), texts(content, tag).phrase(VOICE_LANGUAGE, digit=i))
                for i, tag in enumerate(page, 1)]
    assert offers == expected
    assert offers[0][2] == "For English, press 1." and offers[1][2] != "For English, press 2."
    gather = call.root.find("Gather")
    assert gather.get("language") == "en-US" and "Español" in gather.get("hints") and call.lang is None


def test_choosing_english_reads_the_main_menu_as_for_x_press_n(call, content):
    english(call)
    main = content.flow.nodes["main"]
    assert call.lang == "en"
    assert first_paragraph(content, "main") in call.text
    assert "call 9 1 1" in call.text
    for i, option in enumerate(main.options, 1):
        assert f"For {content.flow.nodes[option].title}, press {i}." in call.text
    assert call.says[-1].text == "To hear this again, press star."
    hints = call.root.find("Gather").get("hints")
    assert "Rights at work" in hints and "back" in hints


@pytest.mark.parametrize("index", range(4))
def test_every_main_menu_branch_by_keys(call, content, index):
    main = content.flow.nodes["main"]
    option = content.flow.nodes[main.options[index]]
    english(call).press(str(index + 1))
    assert first_paragraph(content, option.id) in call.text
    if option.kind == MENU:
        assert "For the main menu, press 0." in call.says[-1].text
        call.press("#")
        assert first_paragraph(content, "main") in call.text
    elif option.kind == TRANSFER:
        service = content.flow.services[option.service]
        assert call.dial.text == service.dial
        assert "Connecting you to" in call.says[-1].text


@pytest.mark.parametrize("index", range(4))
def test_every_main_menu_branch_by_speech(call, content, index):
    option = content.flow.nodes[content.flow.nodes["main"].options[index]]
    english(call).say(f"{option.title}.")
    assert first_paragraph(content, option.id) in call.text


def test_speech_wraps_labels_and_navigation_in_other_words(call, content):
    english(call).say("I want to know about rights at work please")
    assert first_paragraph(content, "at_work") in call.text
    call.say("Go back.")
    assert first_paragraph(content, "main") in call.text
    call.say("Rights at work").say("the one about unpaid wages")
    assert first_paragraph(content, "wages") in call.text
    call.say("Main menu.")
    assert first_paragraph(content, "main") in call.text
    call.say("Repeat.")
    assert first_paragraph(content, "main") in call.text


def test_repeat_back_and_main_menu_keys(call, content):
    english(call).press("4")
    at_work = call.text
    call.press("*")
    assert call.text == at_work
    call.press("1")
    assert first_paragraph(content, "wages") in call.text
    call.press("#")
    assert call.text == at_work
    call.press("1").press("0")
    assert first_paragraph(content, "main") in call.text


def test_a_page_is_read_whole_with_pauses_digits_and_how_to_hear_it_again(call, content):
    english(call).press("4").press("1")  # Rights at work > Unpaid wages
    parts = paragraphs(texts(content), content.flow.nodes["wages"])
    gather = call.root.find("Gather")
    kinds = [e.tag for e in gather]
    assert kinds.count("Say") == len(parts) + 1 and kinds.count("Pause") == len(parts)
    assert "1, 8 5 5, 4 3 5, 7 6 9 3" in call.text and "call 3 1 1" in call.text
    assert call.says[-1].text.startswith("To hear this again, press star.")
    call.silence()  # staying on the line goes back to the menu
    assert first_paragraph(content, "at_work") in call.text


def test_silence_three_times_offers_a_person_then_says_goodbye(call, content):
    english(call).silence()
    assert call.says[0].text == texts(content).phrase(VOICE_SILENCE)
    assert first_paragraph(content, "main") not in call.text  # a re-prompt skips the text
    assert "For Help line, press 2." in call.text
    call.silence().silence()
    offer = [texts(content).phrase(t) for t in (VOICE_SILENCE, VOICE_PERSON)]
    assert [s.text for s in call.root.find("Gather")] == offer
    # saying nothing to that offer falls through to a goodbye: no Redirect, no loop
    assert [e.tag for e in call.root] == ["Gather", "Say", "Hangup"]
    assert call.root.find("Say").text == texts(content).phrase(VOICE_GOODBYE)


def test_after_three_misses_a_person_can_be_reached_and_a_failed_transfer_ends_politely(call, content):
    english(call).say("banana bread")
    assert call.says[0].text == texts(content).phrase(NOT_UNDERSTOOD)
    call.press("9").say("what")
    assert texts(content).phrase(VOICE_PERSON) in call.text
    call.press("1")
    person = content.flow.nodes["talk"]
    assert call.dial.text == content.flow.services[person.service].dial
    call.dial_ends("no-answer")
    assert "1, 8 5 5, 4 3 5, 7 6 9 3" in call.text and call.hung_up


def test_a_person_can_be_asked_for_by_name_after_misses(call, content):
    english(call).silence().silence().silence()
    call.say("talk to a person")
    assert call.dial is not None


def test_a_transfer_dials_and_a_busy_line_reads_the_number_and_returns(call, content):
    english(call)
    menu = call.text
    call.press("3")  # Talk to a person
    assert "Connecting you to Helpers" in call.text
    assert urlsplit(call.dial.get("action")).path == "/voice/dialed"
    call.dial_ends("busy")
    assert call.says[0].text.endswith("1, 8 5 5, 4 3 5, 7 6 9 3.")
    assert first_paragraph(content, "main") in call.text and not call.hung_up
    assert menu.split(" | ")[-1] == call.says[-1].text


def test_a_transfer_that_was_answered_ends_with_goodbye(call, content):
    english(call).press("3").dial_ends("completed")
    assert call.hung_up and call.text == texts(content).phrase(VOICE_GOODBYE)


def test_a_service_that_cannot_be_dialed_is_read_out_then_back_to_the_menu(call, content):
    english(call).press("4")  # Rights at work
    services = call.text
    call.press("2")  # Chicago 311: no dial
    assert call.dial is None
    assert "To reach Chicago 311, hang up and call 3 1 1." in call.text
    call.silence()
    assert call.text == services


def test_spanish_by_keys_and_speech(call, content):
    es = texts(content, "es")
    call.start().press(digit_for(content, "es"))
    assert call.lang == "es"
    assert {(s.get("language"), s.get("voice")) for s in call.says} == {("es-US", "Polly.Lupe")}
    gather = call.root.find("Gather")
    assert gather.get("language") == "es-US"
    label = title(es, content.flow.nodes["at_work"])
    assert label in gather.get("hints")
    assert es.phrase(VOICE_PRESS, label=label, digit=4) in call.text
    call.say(label)
    assert first_paragraph(content, "at_work", "es") in call.text
    back = sorted(es.own_keywords(KEY_BACK))[0]
    call.say(back)
    assert first_paragraph(content, "main", "es") in call.text
    call.say("zzz qqq")
    assert call.says[0].text == es.phrase(NOT_UNDERSTOOD)
    call.press("3").dial_ends("no-answer")
    assert call.says[0].text == es.phrase(VOICE_UNANSWERED, name=service_name(
        es, content.flow.services["helpers"]), number="1, 8 5 5, 4 3 5, 7 6 9 3")
    call.silence().silence().silence()
    assert es.phrase(VOICE_PERSON) in call.text


def test_a_spoken_language_name_chooses_it(call, content):
    call.start().say("Español")
    assert call.lang == "es"


@pytest.mark.parametrize("state", ["", "garbage", "en", "en.main", "xx.main.0.0",
                                   "en.main.7.0", "en.main.0.3", "en.main.x.0", "en.No-Such.0.0",
                                   "." * 900, "en.main.0.0." + ".".join(["main"] * 40), "é.main.0.0",
                                   "en.main.٣.0"])
def test_a_bad_state_restarts_at_the_language_choice(call, state):
    call._post(f"{BASE}/voice/step?s={quote(state, safe='.')}", {"Digits": "1"})
    assert "Welcome" in call.says[0].text
    call._post(f"{BASE}/voice/dialed?s={quote(state, safe='.')}", {"DialCallStatus": "busy"})
    assert "Welcome" in call.says[0].text


@pytest.mark.parametrize("state", ["es.nowhere.0.0", "es.at_work.0.0.ghost"])
def test_a_call_at_a_removed_node_goes_on_at_the_main_menu_in_its_language(call, content, state):
    call._post(f"{BASE}/voice/step?s={quote(state, safe='.')}", {"Digits": "*"})
    assert call.lang == "es"
    assert first_paragraph(content, "main", "es") in call.text


def test_voice_urls_need_twilio_signatures(twilio, call):
    english(call)
    url = call.gather
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}"
    assert twilio.post(path, {"Digits": "1"}, signature=None).status_code == 403
    forged = path.replace("s=en.main", "s=en.at_work")
    assert twilio.post(forged, {"Digits": "1"}, signature=sign(url, {"Digits": "1"})).status_code == 403
    assert twilio.post("/voice", {}, signature=None).status_code == 403


def test_nothing_that_identifies_a_caller_is_stored_or_logged(call, content, redis_client, caplog):
    with caplog.at_level(logging.DEBUG):
        english(call).press("3").dial_ends("busy").say("banana").silence().silence().press("1")
        call.dial_ends("failed")
        call.start().press(digit_for(content, "es")).press("4").press("1").press("#")
    secrets = (CALL_SID, CALLER, CALLER.lstrip("+"), "3125550188")
    dump = redis_dump(redis_client)
    assert dump
    for secret in secrets:
        assert secret not in dump
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret.encode() not in document for document in call.documents)


# The parts ---------------------------------------------------------------------------------

def test_numbers_are_read_digit_by_digit_grouped_by_their_dashes():
    assert voice.spell("1-855-435-7693") == "1, 8 5 5, 4 3 5, 7 6 9 3"
    assert voice.spell("(866) 223-2817") == "8 6 6, 2 2 3, 2 8 1 7"
    assert voice.spell("311") == "3 1 1"


def test_state_round_trips_and_holds_no_identifier(content):
    settings = voice.VoiceSettings()
    session = Session(lang="es", node="wages", trail=("main", "at_work"), misses=2)
    assert voice.decode(content, settings, calls.encode(calls.Call(session))) == calls.Call(session)
    assert calls.encode(calls.Call(session)) == "es.wages.2.0.main.at_work"


def many_languages(content: Content) -> Content:
    """Every language of the registry offered (texts fall back to English)."""
    return dataclasses.replace(content, offered=tuple(content.locales))


def parse(document: str) -> ET.Element:
    root = ET.fromstring(document)
    assert root.tag == "Response"
    return root


def state_of(root: ET.Element) -> str:
    return parse_qs(urlsplit(root.find("Gather").get("action")).query)["s"][0]


def spoken_in(root: ET.Element) -> list[str]:
    """The languages of the offers on a language page (before "other languages, press 9")."""
    return [s.get("language") for s in root.iter("Say") if "9" not in (s.text or "")]


def test_more_than_five_languages_come_a_page_at_a_time(content):
    content = many_languages(content)
    settings = voice.VoiceSettings()
    heard = voice.heard_languages(content, settings)
    assert "ht" not in heard and voice.PER_PAGE < len(heard) <= voice.PER_PAGE + voice.MORE_PER_PAGE
    root = parse(voice.start(content, settings).twiml)
    offers = [s for s in root.iter("Say")][1:]
    later = heard[voice.PER_PAGE:]
    assert len(offers) == voice.PER_PAGE + len(later)
    assert [s.get("language") for s in offers[:voice.PER_PAGE]] == [content.locales[t].say_language for t in heard[:5]]
    # "For other languages, press 9", in each language that 9 reaches, in its own voice
    others = offers[voice.PER_PAGE:]
    assert [s.get("language") for s in others] == [content.locales[t].say_language for t in later]
    assert [s.text for s in others] == [texts(content, t).phrase(VOICE_OTHER_LANGUAGES) for t in later]
    assert "9" in others[-1].text and all(s.text != "For other languages, press 9." for s in others)
    # one press of 9 reaches every other language
    root = parse(voice.answer(content, settings, state_of(root), "9", "").twiml)
    assert spoken_in(root) == [content.locales[t].say_language for t in later]
    assert len(voice._pages(heard)) == 2
    chosen = parse(voice.answer(content, settings, state_of(root), str(len(later)), "").twiml)
    assert state_of(chosen).startswith(f"{later[-1]}.main.")
    root = parse(voice.answer(content, settings, state_of(root), "9", "").twiml)
    assert spoken_in(root) == [content.locales[t].say_language for t in heard[:5]]


def test_only_one_language_skips_the_choice(content):
    content = dataclasses.replace(content, offered=("en",))
    root = parse(voice.start(content, voice.VoiceSettings()).twiml)
    assert state_of(root).startswith("en.main.")
    assert "press 1" in " ".join(s.text for s in root.iter("Say"))


def test_a_language_without_a_voice_is_heard_through_complete_recordings(content):
    content = dataclasses.replace(content, offered=("en", "es", "ht"))
    script = voice.recording_script(content, "ht")
    url = "https://media.example.org/prompts"
    partial = voice.VoiceSettings(recordings_url=url, recorded={"ht": frozenset(list(script)[1:])})
    assert "ht" not in voice.heard_languages(content, partial)
    assert voice.decode(content, partial, "ht.main.0.0") is None
    settings = voice.VoiceSettings(recordings_url=url, recorded={"ht": frozenset(script)}, person_node="talk")
    assert voice.hearing(content, settings, "ht") == voice.RECORDINGS
    digit = str(voice.heard_languages(content, settings).index("ht") + 1)
    root = parse(voice.start(content, settings).twiml)
    assert f"{url}/ht/press.{digit}.mp3" in [p.text for p in root.iter("Play")]
    played: set[str] = set()
    documents = [voice.answer(content, settings, state_of(root), digit, "").twiml, voice.start(content, settings, "ht").twiml]
    for node in content.flow.nodes.values():
        state = calls.encode(calls.Call(Session(lang="ht", node=node.id, trail=("main",))))
        documents.append(voice.answer(content, settings, state, "*", "").twiml)
        documents.append(voice.answer(content, settings, state, "", "blah").twiml)
        if node.kind == TRANSFER:
            documents.append(voice.dialed(content, settings, state, "busy").twiml)
    documents.append(voice.answer(content, settings, "ht.main.2.0", "", "").twiml)
    documents.append(voice.answer(content, settings, "ht.main.3.0", "1", "").twiml)
    documents.append(voice.dialed(content, settings, "ht.main.3.0", "busy").twiml)
    for document in documents:
        root = parse(document)
        assert not list(root.iter("Say")), document
        for gather in root.iter("Gather"):
            assert gather.get("input") == "dtmf" and gather.get("language") is None
        for play in root.iter("Play"):
            assert play.text.startswith(f"{url}/ht/")
            played.add(play.text.removeprefix(f"{url}/ht/").removesuffix(".mp3"))
    assert played and played <= set(script)


def test_simulate_prints_what_the_caller_hears(content, small_line):
    result = CliRunner().invoke(cli, ["simulate", "--channel", "voice"],
                                input="1\nsay: Rights at work\n#\n\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "[en-US Polly.Joanna] For Rights at work, press 4." in result.output
    assert "Help with problems at work." in result.output
    assert "(hangs up)" in result.output and "(call ended)" in result.output


def test_simulate_a_transfer(content, small_line):
    result = CliRunner().invoke(cli, ["simulate", "--channel", "voice", "--lang", "en"], input="3\n")
    assert "(dialing +18554357693; simulated: no answer)" in result.output
    assert "1, 8 5 5, 4 3 5, 7 6 9 3" in result.output


def test_voices_lists_how_each_language_is_heard(small_line):
    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert "voice Polly.Joanna" in lines["en"]
    assert "SMS only" in lines["ht"]
    script = CliRunner().invoke(cli, ["voices", "--script", "ht"])
    assert "ht/voice.goodbye.mp3: " in script.output and "ht/digit.0.mp3: 0" in script.output


def test_fallback_for_a_call_is_spoken(twilio):
    response = twilio.post("/fallback", {"CallSid": CALL_SID, "ErrorCode": "11200"})
    root = ET.fromstring(response.data)
    assert root.find("Say") is not None and root.find("Hangup") is not None



def _carried(twiml: str) -> tuple[str | None, str | None]:
    """The verb that listens or dials, and the state its URL carries."""
    root = ET.fromstring(twiml)
    for verb in ("Gather", "Dial"):
        found = root.find(verb)
        if found is not None:
            return verb, parse_qs(urlsplit(found.get("action")).query)["s"][0]
    return None, None


@pytest.mark.parametrize("keys", [["1", "4", "1"], ["2", "3"], ["1", "9", "9", "9", "1"], ["1", "9", "9", "9", "2"]])
def test_each_answer_says_where_it_leaves_the_call_as_its_urls_do(content, keys):
    """The web edge counts a step from `VoiceAnswer.state`: it is the state the TwiML's
    own URLs carry (None when the call hangs up), never read back out of the TwiML."""
    settings = voice.VoiceSettings()
    answer = voice.start(content, settings)
    for key in [*keys, None]:
        verb, carried = _carried(answer.twiml)
        assert (calls.encode(answer.state) if answer.state else None) == carried
        if key is None or not carried:
            break
        answer = voice.answer(content, settings, carried, key, "") if verb == "Gather" else \
            voice.dialed(content, settings, carried, "busy")
    assert keys[-1] != "2" or answer.state is None  # declining the person: goodbye
