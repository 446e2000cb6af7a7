"""A page reached by a resident's own words arrives whole: whatever comes before it on the
first message (the "Not your language?" hint), MORE goes on exactly where the resident
stopped, on every channel, in every language, at any SMS budget. (Content test: it walks
the shipped flow and catalogs, whatever their wording.)"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hotline.channels import calls, messaging, voice
from hotline.channels.render import fill, paragraphs
from hotline.channels.sms import SmsSettings
from hotline.channels.whatsapp import WhatsAppSettings
from hotline.content import Content, load_content
from hotline.engine import MORE as MORE_ACTION, Goto, Navigate, Session, step
from hotline.flow.model import MENU
from hotline.languages.phrases import KEY_MORE, MORE
from tests.conftest import ROOT, Texter, Twilio

pytestmark = pytest.mark.content  # the shipped pages, whatever their wording
CHANNELS = {"sms-1": SmsSettings(budget=1), "sms-3": SmsSettings(budget=3), "sms-10": SmsSettings(budget=10),
            "whatsapp": WhatsAppSettings()}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(ROOT / "flows", ROOT / "translations")


def _reached(content: Content, node: str, tag: str):
    """What understanding hands the engine for words that name `node`, the language told
    from those words (a first text)."""
    return lambda _content, _session, _body, *a, **k: Goto(node, lang=tag, guessed=True)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _more_prompt(texts, channel, folds: bool) -> re.Pattern[str]:
    """ "(i/n) Reply MORE to read on." at the end of a message, as this language says it."""
    pattern = re.escape(channel.finish(texts.phrase(MORE, page=999001, pages=999002), folds))
    return re.compile(pattern.replace("999001", r"(\d+)").replace("999002", r"(\d+)") + r"\s*$")


def _conversation(content: Content, node: str, tag: str, channel, monkeypatch) -> list[str]:
    """Every message the resident receives: the first, then one per MORE until the last page."""
    texts = content.texts_for(tag)
    more_word = sorted(texts.keywords(KEY_MORE))[0]
    prompt = _more_prompt(texts, channel, content.locales[texts.locale.tag].folds)
    with monkeypatch.context() as m:
        m.setattr(messaging, "understand", _reached(content, node, tag))
        answer = messaging.answer(content, None, "words about it", channel)
    received = list(answer.texts)
    for _ in range(80):
        paged = prompt.search(received[-1])
        if not paged or int(paged.group(1)) >= int(paged.group(2)):
            return received
        received[-1] = received[-1][:paged.start()]  # a paragraph may go on past the prompt
        assert answer.session is not None and answer.session.node == node, (tag, node)
        answer = messaging.answer(content, answer.session, more_word, channel)
        received += answer.texts
    raise AssertionError(f"{node} in {tag}: MORE never reached the last page")


def _expected(content: Content, node_id: str, tag: str, phone) -> list[str]:
    """Every paragraph of the node in this language, and the number of a transfer's service."""
    texts, node = content.texts_for(tag), content.flow.nodes[node_id]
    out = [fill(p, content.flow, phone) for p in paragraphs(texts, node)]
    service = content.flow.service_of(node) if node.kind == "transfer" else None
    return out + ([phone(service)] if service else [])


def _text_only(content: Content, node_id: str, tag: str, channel, messages: list[str]) -> str:
    """The messages without what closes or opens the reply (a service's card, the footer),
    which may come between two sentences of a paragraph; squeezed."""
    texts, folds = content.texts_for(tag), content.locales[tag].folds
    joined = "".join(messages)
    for piece in messaging._tail(content, texts, content.flow.nodes[node_id], channel):
        joined = joined.replace(channel.finish(piece, folds), "")
    return _squeezed(joined)


def _nodes(content: Content) -> list[str]:
    return [n.id for n in content.flow.nodes.values() if n.kind != MENU]


@pytest.mark.parametrize("channel", CHANNELS)
def test_every_page_reached_by_words_arrives_whole_in_every_language(content, channel, monkeypatch):
    settings = CHANNELS[channel]
    lost = []
    for tag in content.offered:
        folds = content.locales[tag].folds
        for node in _nodes(content):
            messages = _conversation(content, node, tag, settings, monkeypatch)
            received = _squeezed("".join(messages)) + _text_only(content, node, tag, settings, messages)
            for part in _expected(content, node, tag, lambda s: s.phone):
                if _squeezed(settings.finish(part, folds)) not in received:
                    lost.append(f"{tag} {node}: {part[:60]}")
    assert not lost, f"{len(lost)} paragraphs never arrived:\n" + "\n".join(lost[:20])


def test_every_page_reached_by_words_is_heard_whole_in_every_language(content, monkeypatch):
    settings = voice.VoiceSettings()
    lost = []
    for tag in voice.heard_languages(content, settings):
        state = calls.encode(calls.Call(Session(lang=tag, node=content.flow.start)))
        for node in _nodes(content):
            monkeypatch.setattr(voice, "understand", _reached(content, node, tag))
            root = ET.fromstring(voice.answer(content, settings, state, "", "words about it").twiml)
            heard = _squeezed(" ".join(s.text or "" for s in root.iter("Say")))
            dialed = {(d.text or "").strip() for d in root.iter("Dial")}  # a service with a dial number is connected
            for part in _expected(content, node, tag, lambda s, dialed=dialed: s.dial if s.dial in dialed else voice.spell(s.phone)):
                if _squeezed(part) not in heard and part not in dialed:
                    lost.append(f"{tag} {node}: {part[:60]}")
    assert not lost, f"{len(lost)} paragraphs never said:\n" + "\n".join(lost[:20])


def test_more_after_the_language_hint_sends_the_next_page_of_that_same_reply(content):
    """The ES door page at one segment: page 2 after MORE is page 2 of what page 1 began."""
    channel = SmsSettings(budget=1)
    session, reply = step(content.flow, None, Goto("ice_door", lang="es", guessed=True))
    sent = messaging.render(content, reply, channel)
    assert len(sent) > 2
    for page in range(1, len(sent)):
        session, reply = step(content.flow, session, Navigate(MORE_ACTION))
        assert messaging.render(content, reply, channel)[reply.page] == sent[page]


def test_a_resident_who_writes_about_the_door_gets_every_word_of_it_by_sms(make_app):
    """Through the signed webhook, at the line's budget: "ICE at your door" reached by a
    Spanish text arrives whole, "I do not consent to your entry" included."""
    app = make_app()
    content = app.extensions["hotline"].content
    resident = Texter(Twilio(app.test_client()))
    resident.text("agentes de ICE en mi puerta")
    more = sorted(content.texts_for("es").keywords(KEY_MORE))[0]
    prompt = _more_prompt(content.texts_for("es"), SmsSettings(), content.locales["es"].folds)
    while (paged := prompt.search(resident.received[-1])) and int(paged.group(1)) < int(paged.group(2)):
        resident.received[-1] = resident.received[-1][:paged.start()]
        resident.text(more)
    received = _squeezed("".join(resident.received))
    for part in _expected(content, "ice_door", "es", lambda s: s.phone):
        assert _squeezed(SmsSettings().finish(part, content.locales["es"].folds)) in received, part
