"""The voice channel: a caller's keypress or words in, what they hear out (TwiML).

The same flows and engine as SMS, rendered for the ear: menus read as "For X, press N",
pages read whole with a pause between paragraphs, phone numbers digit by digit. Every
prompt is a `<Gather input="dtmf speech">` in the caller's language, with the option
labels as hints. Keys, as by SMS (understand.SYMBOLS): `*` repeat, `0` main menu, `#` back;
on the language choice `9` offers the other languages.

The call's place travels in the URLs the TwiML names (`/voice/step?s=<state>`), not in
Redis: a call needs no store, works while Redis is down, and no CallSid or number is kept
anywhere. Twilio signs those URLs with their query, and `decode` checks every field
against the content: a state it does not accept restarts the call at the language choice.

A language with no Twilio voice (no `say` in locales.yaml) is heard through recorded
prompts, `RECORDINGS/<tag>/<key>.mp3` served at `RECORDINGS_URL/<tag>/<key>.mp3`, and only
when every key of `recording_script` has its file; otherwise callers are not offered it.
Keys: a node id (its whole text), `<node>.title` (its label), `service.<id>` (the name),
`voice.*` and `notice.*` (the line's phrases, said without their blanks), `press.<N>`
("press N") and `digit.<N>`. A prompt with blanks plays its values after it: an option is
`<node>.title` then `press.<N>`, a number is its digits one by one.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import quote

from hotline import config
from hotline.channels import VOICE
from hotline.channels.calls import (
    DIALED,
    MAX_MISSES,
    STEP,
    Call,
    Dial,
    Gather,
    Hangup,
    Pause,
    Play,
    Redirect,
    Said,
    Say,
    Step,
    twiml,
)
from hotline.channels.render import fill, paragraphs, service_name, title
from hotline.content import Content
from hotline.engine import BACK, MAX_TRAIL, MORE, Event, Navigate, Notice, Reply, Session, Start, Unknown, step
from hotline.flow.extract import service_context
from hotline.flow.model import MENU, TRANSFER, Node, Service
from hotline.languages import phrases as P
from hotline.languages.locales import SOURCE, Locale
from hotline.languages.phrases import Phrase
from hotline.languages.texts import Texts
from hotline.languages.words import normalize
from hotline.understand import SYMBOLS, confident, option_named, understand
from hotline.understand.keywords import language_names

PER_PAGE = 5          # languages offered first; MORE_KEY hears the others
MORE_PER_PAGE = 8     # languages on each later page (keys 1-8): one press of MORE_KEY reaches 13
MORE_KEY = "9"
PERSON_KEY = "1"
UNANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
MAX_STATE = 1000      # characters; well above what encode() makes (MAX_TRAIL node ids)
CHANNEL = VOICE
SPOKEN, RECORDINGS, SMS_ONLY = "voice", "recordings", "SMS only"  # how a language is heard
NOTICES = {Notice.UNKNOWN: P.NOT_UNDERSTOOD, Notice.SILENCE: P.VOICE_SILENCE, Notice.HELP: P.HELP}
# What a language without a voice must have recorded ("other languages, press 9" is said
# in each language the key reaches).
RECORDED_PHRASES = (P.VOICE_WELCOME, P.VOICE_LANGUAGE, P.VOICE_OTHER_LANGUAGES, P.VOICE_FOOTER_MAIN,
                    P.VOICE_FOOTER_MENU, P.VOICE_FOOTER_PAGE, P.VOICE_SILENCE, P.VOICE_CONNECTING,
                    P.VOICE_CALL, P.VOICE_UNANSWERED, P.VOICE_PERSON, P.VOICE_GOODBYE, P.NOT_UNDERSTOOD,
                    P.HELP)


@dataclass(frozen=True, eq=False)  # hashed by identity: one per app, a key for caches
class VoiceSettings:
    base_url: str = ""                 # before /voice/... in action URLs; "" keeps them relative
    person_node: str = "talk_to_person"
    recordings_url: str = ""
    recorded: Mapping[str, frozenset[str]] = field(default_factory=dict)  # tag -> keys on disk

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> VoiceSettings:
        """Settings from the app config; the recordings folder is listed once, here."""
        folder = Path(cfg["RECORDINGS"])
        recorded = {d.name: frozenset(f.name[:-4] for f in d.glob("*.mp3"))
                    for d in (folder.iterdir() if folder.is_dir() else ()) if d.is_dir()}
        return cls(base_url=(cfg["PUBLIC_URL"] or "").rstrip("/"), person_node=cfg["VOICE_PERSON_NODE"],
                   recordings_url=(cfg["RECORDINGS_URL"] or "").rstrip("/"), recorded=recorded)


@dataclass(frozen=True)
class VoiceAnswer:
    """One turn: its steps, where it leaves the call (the state its URLs carry, or None when
    it hangs up: the web edge counts the step from it), and the steps as TwiML."""

    steps: tuple[Step, ...]
    state: Call | None
    twiml: str


def _answer(settings: VoiceSettings, steps: list[Step], state: Call | None) -> VoiceAnswer:
    return VoiceAnswer(tuple(steps), state, twiml(tuple(steps), settings.base_url))


@dataclass(frozen=True)
class Prompt:
    """One thing said: `text` for a Twilio voice, `keys` the recordings that say it."""

    text: str
    keys: tuple[str, ...]
    pause: bool = False  # a paragraph: a pause follows
    voice: Locale | None = None  # said in another language's voice: English text not translated yet


# Which languages callers can hear ---------------------------------------------------------

def hearing(content: Content, settings: VoiceSettings, tag: str) -> str:
    """How a language is heard: its Twilio voice, its recorded prompts, or not (SMS only)."""
    if content.locales[tag].say_language:
        return SPOKEN
    if settings.recordings_url and not missing_recordings(content, settings, tag):
        return RECORDINGS
    return SMS_ONLY


def heard_languages(content: Content, settings: VoiceSettings | None = None) -> tuple[str, ...]:
    """The offered languages a caller can choose, in the registry's order. Without
    `settings`, the configured ones (recordings on disk), as the commands need."""
    if settings is None:
        settings = VoiceSettings.from_config(config.read())
    return tuple(t for t in content.offered if hearing(content, settings, t) != SMS_ONLY)


def recording_script(content: Content, tag: str) -> dict[str, str]:
    """Every prompt file a language without a voice needs -> what its speaker says in it."""
    texts, flow = content.texts_for(tag), content.flow
    script = {p.context: _unfilled(texts.phrase(p)) for p in RECORDED_PHRASES}
    script[P.VOICE_LANGUAGE.context] = content.locales[tag].name
    for node in flow.nodes.values():
        script[node.id] = "  ".join(fill(p, flow, lambda s: spell(s.phone)) for p in paragraphs(texts, node))
        script.update({f"{o}.title": title(texts, flow.nodes[o]) for o in node.options})
        if node.kind == TRANSFER:
            script[service_context(flow.service_of(node).id)] = service_name(texts, flow.service_of(node))
    script.update({f"press.{d}": f"press {d}" for d in range(1, 10)})
    script.update({f"digit.{d}": str(d) for d in range(10)})
    return script


def _unfilled(text: str) -> str:
    """A phrase as recorded: without its blanks, which the line plays after it."""
    blanks = [name for _, name, _, _ in Formatter().parse(text) if name]
    said = " ".join(re.sub(r"\{\w+\}", "", text).split())
    return f"{said}  (then the line plays: {', '.join(blanks)})" if blanks else said


def missing_recordings(content: Content, settings: VoiceSettings, tag: str) -> list[str]:
    have = settings.recorded.get(tag, frozenset())
    return [key for key in recording_script(content, tag) if key not in have]


def describe(content: Content, settings: VoiceSettings, tag: str) -> str:
    """One line for `hotline voices`: how callers hear this language, or why they cannot."""
    locale = content.locales[tag]
    how = hearing(content, settings, tag)
    if how == SPOKEN:
        detail = (f"voice {locale.voice or '(Twilio default)'}, say {locale.say_language}, "
                  f"speech {locale.speech_language or 'none (keys only)'}")
    elif how == RECORDINGS:
        detail = "recorded prompts" + ("" if locale.speech_language else ", keys only")
    else:
        missing = len(missing_recordings(content, settings, tag))
        where = "" if settings.recordings_url else ", HOTLINE_RECORDINGS_URL unset"
        detail = f"SMS only: no Twilio voice; {missing} recording(s) missing{where}"
    offered = "" if tag in content.offered else "  [not offered: catalog incomplete]"
    return f"{tag:<8} {locale.name:<16} {detail}{offered}"


# Call state in URLs ---------------------------------------------------------------------

@lru_cache(maxsize=8192)
def decode(content: Content, settings: VoiceSettings, state: str | None) -> Call | None:
    """The session `encode` made, or None for anything else (a language no longer heard, a
    damaged or forged URL). A call at a node the flow no longer has (an edit went live
    meanwhile) goes on at the main menu, in its language."""
    if not state or len(state) > MAX_STATE:
        return None
    parts = state.split(".")
    if len(parts) < 4:
        return None
    lang, misses, page, trail = parts[0], parts[2], parts[3], tuple(parts[4:])
    node, *offer = parts[1].split("+")
    nodes, heard = content.flow.nodes, heard_languages(content, settings)
    if ((lang and lang not in heard) or len(trail) > MAX_TRAIL
            or not re.fullmatch(r"[0-9]", misses) or int(misses) > MAX_MISSES
            or not re.fullmatch(r"[0-9]{1,2}", page) or int(page) >= (1 if lang else len(_pages(heard)))):
        return None
    if node not in nodes or any(t not in nodes for t in (*trail, *offer)):
        return Call(Session(lang=lang, node=content.flow.start)) if lang and all(
            re.fullmatch(r"[a-z0-9_]+", n) for n in (node, *trail)) else None
    session = Session(lang=lang or None, node=node, trail=trail, page=int(page), misses=int(misses),
                      offer=tuple(offer))
    return Call(session, person_offered=session.misses >= MAX_MISSES)


# Webhooks -------------------------------------------------------------------------------

def respond(content: Content, settings: VoiceSettings, action: str, query: Mapping[str, str],
            form: Mapping[str, str]) -> VoiceAnswer:
    """The answer to one webhook of a call: `action` "" (a new call), "step" (a Gather's result,
    or silence) or "dialed" (a transfer ended). Reads only Digits, SpeechResult and
    DialCallStatus: nothing that identifies the caller."""
    speech = form.get("SpeechResult", "")
    # Keys and silence come back the same again and again; a caller's words are not kept.
    respond_to = _respond_to.__wrapped__ if speech.strip() else _respond_to
    return respond_to(content, settings, action, query.get("s"), form.get("Digits", ""), speech,
                      form.get("DialCallStatus", ""), confident(form.get("Confidence")))


def forget_rendered() -> None:
    """Drop cached answers and states (after a reload: they hold the old content alive)."""
    for cached in (_respond_to, decode):
        cached.cache_clear()


@lru_cache(maxsize=8192)  # calls walk the same few hundred prompts: build each TwiML once
def _respond_to(content: Content, settings: VoiceSettings, action: str, state: str | None,
                digits: str, speech: str, status: str, sure: bool = True) -> VoiceAnswer:
    if action == STEP:
        return answer(content, settings, state, digits, speech, sure)
    if action == DIALED:
        return dialed(content, settings, state, status)
    return start(content, settings)


def start(content: Content, settings: VoiceSettings, lang: str | None = None) -> VoiceAnswer:
    """A new call: the welcome, then the language choice (skipped when only one is heard)."""
    heard = heard_languages(content, settings)
    lang = lang or (heard[0] if len(heard) == 1 else None)
    session, reply = step(content.flow, None, Start(lang=lang))
    welcome = _phrase(content.texts_for(lang), P.VOICE_WELCOME)
    return _answer(settings, _respond(content, settings, session, reply, [welcome]), Call(session))


def answer(content: Content, settings: VoiceSettings, state: str | None, digits: str, speech: str,
           sure: bool = True) -> VoiceAnswer:
    """A keypress, words, or silence (neither) at the prompt that `state` names; words the
    recognizer was not `sure` of are asked again rather than acted on."""
    call = decode(content, settings, state)
    if call is None:
        return start(content, settings)
    if call.person_offered:
        return _person_answer(content, settings, call, digits, speech)
    session = call.session
    event = _event(content, settings, session, digits, speech) if sure or digits else Unknown()
    session, reply = step(content.flow, session, event)
    pages = len(_pages(heard_languages(content, settings))) if session.choosing_language else 1
    session = replace(session, page=session.page % pages)  # a node is read whole: no pages
    if reply.misses >= MAX_MISSES:
        return _offer_person(content, settings, session, reply)
    return _answer(settings, _respond(content, settings, session, reply), Call(session))


def dialed(content: Content, settings: VoiceSettings, state: str | None, status: str) -> VoiceAnswer:
    """A transfer ended. Not reached: the caller hears the number and goes back to the menu
    they came from (after misses: a goodbye). Reached: they have talked; goodbye."""
    call = decode(content, settings, state)
    if call is None:
        return start(content, settings)
    session, escalated = call.session, call.person_offered
    node = _person(content, settings) if escalated else content.flow.nodes[session.node]
    if node is None or node.kind != TRANSFER:
        return start(content, settings)
    texts = content.texts_for(session.lang)
    if status not in UNANSWERED:
        return _goodbye(settings, texts, [])
    missed = _service_prompt(texts, P.VOICE_UNANSWERED, content.flow.service_of(node))
    if escalated:
        return _goodbye(settings, texts, [missed])
    session, reply = step(content.flow, session, Navigate(BACK))
    return _answer(settings, _respond(content, settings, session, reply, [missed]), Call(session))


def _event(content: Content, settings: VoiceSettings, session: Session, digits: str, speech: str) -> Event:
    heard = heard_languages(content, settings)
    if session.choosing_language:
        pages = _pages(heard)
        if digits == MORE_KEY and len(pages) > 1:
            return Navigate(MORE)
        if digits in SYMBOLS:
            return Navigate(SYMBOLS[digits])
        event = understand(content, session, digits or speech, pages[session.page])
    elif not (digits or speech.strip()) and content.flow.nodes[session.node].kind != MENU:
        return Navigate(BACK)  # after a page, silence goes back to its menu: "stay on the line"
    else:
        event = understand(content, session, digits or speech, spoken=not digits)
    lang = getattr(event, "lang", None)
    return Unknown() if lang and lang not in heard else event  # a language callers cannot hear


def _pages(heard: tuple[str, ...]) -> list[tuple[str, ...]]:
    rest = heard[PER_PAGE:]
    return [heard[:PER_PAGE]] + [rest[i:i + MORE_PER_PAGE] for i in range(0, len(rest), MORE_PER_PAGE)]


def _person(content: Content, settings: VoiceSettings) -> Node | None:
    node = content.flow.nodes.get(settings.person_node)
    return node if node is not None and node.kind == TRANSFER else None


# What the caller hears --------------------------------------------------------------------

def _respond(content: Content, settings: VoiceSettings, session: Session, reply: Reply,
             before: list[Prompt] | None = None) -> list[Step]:
    """The reply as steps: a Gather reading the prompt, then a Redirect back to the same
    step when the caller says nothing (that is how silence arrives)."""
    before = before or []
    if reply.node is None:
        return _language_choice(content, settings, session, reply, before)
    flow, texts = content.flow, content.texts_for(reply.lang)
    node = flow.nodes[reply.node]
    service = flow.service_of(node) if node.kind == TRANSFER else None
    if service and service.dial and not reply.offer:
        return _connect(content, settings, Call(session), service, service.dial, before + _body(content, texts, node))
    prompts = before + _notice(texts, reply.notice)
    if reply.notice not in (Notice.UNKNOWN, Notice.SILENCE) and not reply.offer:  # a re-prompt skips what was just heard
        prompts += _body(content, texts, node)
    options = reply.offer or node.options  # a short list for the caller's words, or the menu
    if reply.offer or node.kind == MENU:
        prompts += [Prompt(texts.phrase(P.VOICE_PRESS, label=title(texts, flow.nodes[o]), digit=i),
                           (f"{o}.title", f"press.{i}")) for i, o in enumerate(options, 1)]
        footer = P.VOICE_FOOTER_MAIN if node.id == flow.start and not reply.offer else P.VOICE_FOOTER_MENU
    else:
        if service:
            prompts.append(_service_prompt(texts, P.VOICE_CALL, service))
        footer = P.VOICE_FOOTER_PAGE
    prompts.append(_phrase(texts, footer))
    hints = [title(texts, flow.nodes[o]) for o in options]
    hints += [w.strip() for p in (P.KEY_REPEAT, P.KEY_BACK, P.KEY_HOME)
              for w in texts.phrase(p).lower().split(",")]
    return [_gather(Call(session), texts.locale, hints, _speak(settings, prompts, texts.locale)), Redirect(Call(session))]


def _language_choice(content: Content, settings: VoiceSettings, session: Session, reply: Reply,
                     before: list[Prompt]) -> list[Step]:
    """Each language offered in its own words and voice; then "for other languages, press 9"
    in each language that 9 reaches."""
    pages = _pages(heard_languages(content, settings))
    english = content.texts_for(SOURCE)
    said = _speak(settings, before + _notice(english, reply.notice), english.locale)
    for digit, tag in enumerate(pages[session.page], 1):
        offer = Prompt(content.texts_for(tag).phrase(P.VOICE_LANGUAGE, digit=digit),
                       (P.VOICE_LANGUAGE.context, f"press.{digit}"))
        said += _speak(settings, [offer], content.locales[tag])
    for tag in pages[(session.page + 1) % len(pages)] if len(pages) > 1 else ():
        said += _speak(settings, [_phrase(content.texts_for(tag), P.VOICE_OTHER_LANGUAGES)], content.locales[tag])
    names = sorted({n for t in pages[session.page] for n in (content.locales[t].name, *language_names(content, t))})
    return [_gather(Call(session), english.locale, names, said), Redirect(Call(session))]  # names in themselves and in English


def _offer_person(content: Content, settings: VoiceSettings, session: Session,
                  reply: Reply) -> VoiceAnswer:
    """After MAX_MISSES misses: a person if one can be dialed, else their number; then a
    polite goodbye. The call never loops."""
    texts = content.texts_for(reply.lang)
    person = _person(content, settings)
    service = content.flow.service_of(person) if person else None
    notice = _notice(texts, reply.notice)
    if person is None or service is None or not service.dial:
        calls = [_service_prompt(texts, P.VOICE_CALL, service)] if service else []
        return _goodbye(settings, texts, notice + calls)
    offered = Call(session, person_offered=True)
    offer = _speak(settings, notice + [_phrase(texts, P.VOICE_PERSON)], texts.locale)
    steps: list[Step] = [_gather(offered, texts.locale, [title(texts, person)], offer)]
    steps += [*_speak(settings, [_phrase(texts, P.VOICE_GOODBYE)], texts.locale), Hangup()]
    return _answer(settings, steps, offered)  # listening for the answer first


def _person_answer(content: Content, settings: VoiceSettings, call: Call, digits: str,
                   speech: str) -> VoiceAnswer:
    """The answer to the offer of a person: yes connects (the call stays at the offer, so a
    failed transfer says goodbye), anything else says goodbye."""
    session = call.session
    texts = content.texts_for(session.lang)
    person = _person(content, settings)
    said = normalize(speech)
    service = content.flow.service_of(person) if person else None
    if person is None or service is None or not service.dial:
        return _goodbye(settings, texts, [])
    named = not digits and said and option_named(content, session.lang, (person.id,), said, spoken=True)
    if digits != PERSON_KEY and not named:
        return _goodbye(settings, texts, [])
    return _answer(settings, _connect(content, settings, call, service, service.dial, []), call)


def _connect(content: Content, settings: VoiceSettings, call: Call, service: Service, number: str,
             before: list[Prompt]) -> list[Step]:
    """Say who the caller is connected to, then dial `number`; /voice/dialed hears how it ended."""
    texts = content.texts_for(call.session.lang)
    connecting = Prompt(texts.phrase(P.VOICE_CONNECTING, name=service_name(texts, service)),
                        (P.VOICE_CONNECTING.context, service_context(service.id)))
    return [*_speak(settings, before + [connecting], texts.locale), Dial(number, call)]


def _goodbye(settings: VoiceSettings, texts: Texts, before: list[Prompt]) -> VoiceAnswer:
    said = _speak(settings, before + [_phrase(texts, P.VOICE_GOODBYE)], texts.locale)
    return _answer(settings, [*said, Hangup()], None)


def _gather(call: Call, locale: Locale, hints: list[str], said: list[Said]) -> Gather:
    """One keypress or words in the caller's language (hints only where words are heard);
    `#` arrives as a key, not an end, and speech ends on the caller's natural pause (calls.twiml)."""
    return Gather(tuple(said), call, locale.speech_language, tuple(hints))


def _speak(settings: VoiceSettings, prompts: Iterable[Prompt], locale: Locale) -> list[Said]:
    """Say each prompt in the language's voice, or play its recordings."""
    said: list[Said] = []
    for prompt in prompts:
        if locale.say_language:
            voiced = prompt.voice if prompt.voice and prompt.voice.say_language else locale
            said.append(Say(prompt.text, voiced.say_language, voiced.voice))
        else:
            said += [Play(f"{settings.recordings_url}/{quote(locale.tag)}/{quote(key)}.mp3") for key in prompt.keys]
        if prompt.pause and (locale.say_language or prompt.keys):
            said.append(Pause(1))
    return said


def _phrase(texts: Texts, phrase: Phrase) -> Prompt:
    return Prompt(texts.phrase(phrase), (phrase.context,))


def _notice(texts: Texts, notice: Notice | None) -> list[Prompt]:
    return [_phrase(texts, NOTICES[notice])] if notice in NOTICES else []


def _body(content: Content, texts: Texts, node: Node) -> list[Prompt]:
    """The node's text, a paragraph per prompt; one recording holds the whole text."""
    parts = [fill(p, content.flow, lambda s: spell(s.phone)) for p in paragraphs(texts, node)]
    english = content.locales[SOURCE] if texts.locale.tag != SOURCE and not texts.translates(node.id, node.text) else None
    return [Prompt(text, (node.id,) if i == 0 else (), pause=True, voice=english) for i, text in enumerate(parts)]


def _service_prompt(texts: Texts, phrase: Phrase, service: Service) -> Prompt:
    """A phrase with a service's name and number, the number read digit by digit."""
    text = texts.phrase(phrase, name=service_name(texts, service), number=spell(service.phone))
    digits = tuple(f"digit.{d}" for d in re.sub(r"\D", "", service.phone))
    return Prompt(text, (phrase.context, service_context(service.id), *digits))


def spell(phone: str) -> str:
    """'1-855-435-7693' -> '1, 8 5 5, 4 3 5, 7 6 9 3': each digit said, a pause at each dash."""
    return ", ".join(" ".join(group) for group in re.findall(r"\d+", phone))
