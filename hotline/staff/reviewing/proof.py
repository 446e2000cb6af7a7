"""Proofing a draft before it is published: every screen it changes, in every language and
every channel, as residents will get it (the channels' own rendering), beside what they get
now; which of its strings are served in English or from an earlier English; and the menus
whose numbers shift. Pure: two loaded `Content`s and the channels' settings in, rows out."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace

from hotline import simulate as simulator
from hotline.channels import calls, gsm, messaging, sms, voice, whatsapp
from hotline.content import Content
from hotline.engine import Reply, Session
from hotline.languages.serving import OLDER, REASONS

SMS, WHATSAPP, VOICE = "SMS", "WhatsApp", "Voice"


@dataclass(frozen=True)
class Channels:
    sms: sms.SmsSettings
    whatsapp: whatsapp.WhatsAppSettings
    voice: voice.VoiceSettings


@dataclass(frozen=True)
class Shown:
    """One screen in one language on one channel: the messages (SMS pages with their
    segments) or the spoken text with the voice that says it."""

    messages: tuple[str, ...]
    notes: tuple[str, ...] = ()  # per message: "2 segments, GSM-7"; or the voice
    marks: tuple[tuple[tuple[str, bool], ...], ...] = ()  # per message: its words, each marked when it changed


def _words(text: str) -> list[str]:
    return re.split(r"(\s+)", text)


def _marked(before: Shown | None, after: Shown | None) -> tuple[Shown | None, Shown | None]:
    """Both sides with the words that differ marked, message by message."""
    if before is None or after is None:
        return before, after
    old_marks, new_marks = [], []
    for i in range(max(len(before.messages), len(after.messages))):
        a = _words(before.messages[i]) if i < len(before.messages) else []
        b = _words(after.messages[i]) if i < len(after.messages) else []
        kept_a, kept_b = [False] * len(a), [False] * len(b)
        for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
            kept_a[block.a:block.a + block.size] = [True] * block.size
            kept_b[block.b:block.b + block.size] = [True] * block.size
        old_marks.append(tuple((w, not k and bool(w.strip())) for w, k in zip(a, kept_a, strict=True)))
        new_marks.append(tuple((w, not k and bool(w.strip())) for w, k in zip(b, kept_b, strict=True)))
    return (replace(before, marks=tuple(old_marks[:len(before.messages)])),
            replace(after, marks=tuple(new_marks[:len(after.messages)])))


@dataclass(frozen=True)
class Difference:
    lang: str
    language: str
    channel: str
    before: Shown | None  # None: the screen is new in this language
    after: Shown | None   # None: removed


@dataclass
class Screen:
    node: str
    title: str
    differences: list[Difference] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)  # "Polski: the text in English (changed in English ...)"


@dataclass(frozen=True)
class Renumbered:
    menu: str
    before: tuple[str, ...]  # "1 Your rights", ...
    after: tuple[str, ...]


def _texted(content: Content, nid: str, tag: str, channel: messaging.TextChannel) -> Shown:
    pages = tuple(messaging.render(content, Reply(node=nid, lang=tag), channel))
    if isinstance(channel, sms.SmsSettings):
        return Shown(pages, tuple(f"{gsm.segments(p)} segment(s), {gsm.encoding(p)}" for p in pages))
    return Shown(pages, tuple(f"{len(p)} characters" for p in pages))


def _spoken(content: Content, settings: voice.VoiceSettings, nid: str, tag: str) -> Shown | None:
    if tag not in voice.heard_languages(content, settings):
        return None
    state = calls.encode(calls.Call(Session(lang=tag, node=nid)))
    heard = simulator.heard(voice.answer(content, settings, state, "*", "").steps)
    said = [p for p in heard.prompts if isinstance(p, calls.Say)]
    voices = sorted({f"{p.voice or 'Twilio default voice'} ({p.language})" for p in said})
    return Shown((heard.text,), (", ".join(voices),))


def _shown(content: Content | None, channels: Channels, nid: str, tag: str, channel: str) -> Shown | None:
    if content is None or nid not in content.flow.nodes or tag not in content.locales:
        return None
    if channel == SMS:
        return _texted(content, nid, tag, channels.sms)
    if channel == WHATSAPP:
        return _texted(content, nid, tag, channels.whatsapp)
    return _spoken(content, channels.voice, nid, tag)


def _languages(content: Content) -> list[str]:
    return [t for t in content.locales if t in content.offered or content.coverage[t].translated]


def screens(live: Content, draft: Content, channels: Channels) -> list[Screen]:
    """Every screen that reads or sounds different in the draft, with only what differs."""
    out = []
    tags = list(dict.fromkeys([*_languages(draft), *_languages(live)]))
    for nid in dict.fromkeys([*draft.flow.nodes, *live.flow.nodes]):
        node = draft.flow.nodes.get(nid) or live.flow.nodes[nid]
        screen = Screen(nid, node.title)
        for tag in tags:
            locale = draft.locales.get(tag) or live.locales[tag]
            for channel in (SMS, WHATSAPP, VOICE):
                before, after = _shown(live, channels, nid, tag, channel), _shown(draft, channels, nid, tag, channel)
                if before != after:
                    screen.differences.append(Difference(tag, locale.name, channel, *_marked(before, after)))
        if screen.differences and nid in draft.flow.nodes:
            keys = {"title": (nid, node.title), "text": (nid, node.text)}
            for tag in tags:
                served = draft.coverage[tag].fallback if tag in draft.coverage else {}
                earlier = live.coverage[tag].fallback if tag in live.coverage else {}
                for what, key in keys.items():
                    if key in served and earlier.get(key) != served[key]:  # new with this draft
                        how = "from the earlier English" if served[key].how == OLDER else "in English"
                        screen.fallbacks.append(f"{draft.locales[tag].name} ({tag}): the {what} {how} "
                                                f"({REASONS[served[key].reason]})")
        if screen.differences:
            out.append(screen)
    return out


def renumbered(live: Content, draft: Content) -> list[Renumbered]:
    """Menus whose options moved, came or went: the digits residents press change."""
    out = []
    for nid, node in draft.flow.nodes.items():
        old = live.flow.nodes.get(nid)
        if old is None or old.options == node.options:
            continue

        def listed(content: Content, options: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(f"{i} {content.flow.nodes[o].title if o in content.flow.nodes else o}"
                         for i, o in enumerate(options, 1))
        out.append(Renumbered(node.title, listed(live, old.options), listed(draft, node.options)))
    return out
