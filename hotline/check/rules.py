"""The check's rules: what would go wrong for a resident after a staff edit, found before the
line serves it. Each rule is a pure function over the loaded flow or content that returns
Problems (file, line, node) or table rows; `hotline.check.version` runs them all over one
version of the content, `hotline.check.report` says what they found.

Errors (exit 1): everything the loader reports (YAML, explained; duplicate keys or
options, more than nine options, unknown nodes, services or placeholders, a page without
`source`, a `dial` that is not its `phone`), nodes `main` does not reach, dead ends, phone
numbers typed in text that services.yaml does not have, translations whose {placeholders}
differ from their English's, and failing flow tests. Warnings lead with what each language
gets in English or from an earlier English; a flow test that fails only because of that
is a warning too. Causes are listed before their effects (`version.ordered`).

A dead end: 0 (main menu) and # (back) work on every node, so a resident can always
leave; what can go wrong is a place that leads to nothing useful. A page is useful; a
transfer is useful when its service has a phone or dial number; a menu is useful when one
of its options leads, directly or through other menus, to something useful. Any other
node is a dead end: a menu whose options are missing or only loop through menus, or a
transfer to a service without a number.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hotline.channels import calls, gsm, messaging, sms, voice
from hotline.check import recordings
from hotline.content import Content
from hotline.engine import Reply, Session
from hotline.flow.extract import flow_messages, service_context
from hotline.flow.load import read_yaml
from hotline.flow.model import MENU, PAGE, PLACEHOLDER, TRANSFER, Flow, Kind, Node, Problem, Service
from hotline.languages import locales, phrases, serving
from hotline.languages.locales import LOCALES_FILE, catalog_path
from hotline.languages.po import Key

WARNING = "warning"
WORDS_PER_SECOND = 150 / 60  # a Twilio voice reads about 150 words a minute
CJK_PER_SECOND = 4           # Chinese, Japanese, Korean: characters, not words
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# A phone number typed into text: US groupings (1-855-435-7693, (866) 223-2817,
# 312.660.1370), ten or eleven digits in a row, a 7-digit local number, or N11/988.
PHONE = re.compile(
    r"(?<![\w.,-])(?:(?:\+?1[-. ]?)?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}|\+?1?\d{10}"
    r"|\d{3}-\d{4}|[2-9]11|988)(?![\w,-]|\.\d)"
)


def _warn(file: str, line: int, node: str, message: str) -> Problem:
    return Problem(file, line, node, message, WARNING)


# The flow alone --------------------------------------------------------------------------

def reachable(flow: Flow) -> set[str]:
    """Node ids a resident can reach from the main menu by choosing options."""
    seen: set[str] = set()
    todo = [flow.start] if flow.start in flow.nodes else []
    while todo:
        nid = todo.pop()
        if nid not in seen:
            seen.add(nid)
            todo.extend(o for o in flow.nodes[nid].options if o in flow.nodes)
    return seen


def unreachable(flow: Flow) -> list[Problem]:
    if flow.start not in flow.nodes:
        return []  # the loader reports the missing main menu; every node would be listed
    seen = reachable(flow)
    return [Problem(n.file, n.line, n.id, f"no menu leads here from '{flow.start}': add it to a menu's options")
            for n in flow.nodes.values() if n.id not in seen]


def _useful(flow: Flow) -> set[str]:
    """Pages, transfers with a number, and menus leading to one of them (a fixpoint)."""
    useful = {n.id for n in flow.nodes.values() if n.kind == PAGE or (
        n.kind == TRANSFER and n.service in flow.services
        and (flow.service_of(n).phone or flow.service_of(n).dial))}
    grew = True
    while grew:
        more = {n.id for n in flow.nodes.values()
                if n.kind == MENU and n.id not in useful and any(o in useful for o in n.options)}
        useful |= more
        grew = bool(more)
    return useful


def dead_ends(flow: Flow) -> list[Problem]:
    useful = _useful(flow)
    out = []
    for n in flow.nodes.values():
        if n.id in useful:
            continue
        if n.kind == MENU:
            out.append(Problem(n.file, n.line, n.id, "dead end: no option leads to a page or a service to call"))
        elif n.kind == TRANSFER and n.service in flow.services:
            out.append(Problem(n.file, n.line, n.id, f"dead end: service '{n.service}' has no phone or dial number"))
    return out


def _digits(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def typed_numbers(flow: Flow) -> list[Problem]:
    """Phone numbers belong in services.yaml, where each has a source; text names them as
    {service_id}, so one edit changes every mention and voice spells them out. A title
    may carry a known number as a name ("Chicago 311")."""
    directory = {_digits(n): s.id for s in flow.services.values() for n in (s.phone, s.dial or "") if n}
    out = []
    for n in flow.nodes.values():
        for where, text in (("title", n.title), ("text", PLACEHOLDER.sub("", n.text))):
            for number in PHONE.findall(text):
                sid = directory.get(_digits(number))
                if not sid:
                    out.append(Problem(n.file, n.line, n.id, f"phone number {number} in the {where} is not in "
                                       "services.yaml: add the service there with its source, then write {its_id}"))
                elif where == "text":
                    out.append(_warn(n.file, n.line, n.id, f"the number {number} is typed in the text: write {{{sid}}}"))
    return out


def _date_warning(what: str, value: str, today: date, max_days: int) -> str | None:
    if not value:
        return f"no '{what}:' date: add the day someone last checked it against its source"
    try:
        age = (today - date.fromisoformat(value)).days
    except ValueError:
        return f"'{what}: {value}' is not a date like 2026-11-26"
    if age < 0:
        return f"'{what}: {value}' is in the future"
    if age > max_days:
        return f"'{what}: {value}' is {age} days old (more than {max_days}): check it against its source again"
    return None


def _recheck_warning(value: str, today: date) -> str | None:
    """A fact with a life cycle (a pending case, a proposal, a program that may end) is
    checked again by its `recheck` date; until then the line may say it."""
    if not value:
        return "no 'recheck:' date: add the day by which its sources must be checked again"
    try:
        due = date.fromisoformat(value)
    except ValueError:
        return f"'recheck: {value}' is not a date like 2027-03-01"
    if due < today:
        return (f"'recheck: {value}' has passed: check its sources again (flows/README.md, 'Facts with a "
                "life cycle'), then set reviewed: to today and a new recheck: date")
    return None


def stale(flow: Flow, today: date, max_days: int) -> list[Problem]:
    """Pages' `reviewed` and services' `verified` dates that are missing, odd or too old,
    and their `recheck` dates that are missing, odd or past."""
    out = []
    for n in flow.nodes.values():
        if n.kind == PAGE:
            for message in (_date_warning("reviewed", n.reviewed, today, max_days), _recheck_warning(n.recheck, today)):
                if message:
                    out.append(_warn(n.file, n.line, n.id, message))
    for s in flow.services.values():
        verified = _date_warning("verified", s.verified, today, max_days) if s.verified else None  # loader: missing
        for message in (verified, _recheck_warning(s.recheck, today)):
            if message:
                out.append(_warn(s.file, s.line, s.id, message))
    return out


def service_notes(flow: Flow) -> list[Problem]:
    return [_warn(s.file, s.line, s.id, f"check: {s.check}") for s in flow.services.values() if s.check]


def flow_problems(flow: Flow, today: date, max_days: int) -> list[Problem]:
    return (unreachable(flow) + dead_ends(flow) + typed_numbers(flow) + stale(flow, today, max_days)
            + service_notes(flow))


# Languages and catalogs -----------------------------------------------------------------

def label_of(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def locale_lines(translations: Path) -> dict[str, int]:
    data = read_yaml((translations / LOCALES_FILE).read_text(encoding="utf-8"), [], LOCALES_FILE)
    return dict(getattr(data, "lines", {}))


def voice_gaps(content: Content, settings: voice.VoiceSettings, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """Languages callers cannot hear: no Twilio voice and not every prompt recorded."""
    out = []
    for tag in content.locales:
        if voice.hearing(content, settings, tag) == voice.SMS_ONLY:
            missing = len(voice.missing_recordings(content, settings, tag))
            url = "" if settings.recordings_url else "; HOTLINE_RECORDINGS_URL is unset"
            out.append(_warn(label, lines.get(tag, 0), "", f"{tag}: no Twilio voice ('say:') and {missing} "
                             f"recorded prompt(s) missing{url}: SMS only (hotline voices --script {tag})"))
    return out


def stale_recordings(content: Content, settings: voice.VoiceSettings, folder: Path, label: str,
                     lines: Mapping[str, int]) -> list[Problem]:
    """Recordings made from a text that has changed since (see `recordings`)."""
    out = []
    for tag, have in settings.recorded.items():
        if tag not in content.locales:
            continue
        old = recordings.stale(voice.recording_script(content, tag), recordings.read_manifest(folder / tag),
                               sorted(have))
        if old:
            out.append(_warn(label, lines.get(tag, 0), "", f"{tag}: {len(old)} recording(s) say an earlier text: "
                             f"{', '.join(f'{k}.mp3' for k in old[:6])}{' ...' if len(old) > 6 else ''}; record them "
                             f"again (hotline voices --script {tag}), then hotline voices --recorded {tag}"))
    return out


def string_name(flow: Flow, key: Key) -> str:
    """A string as staff find it: 'main, text', 'service.icirr, hours', or a phrase's context."""
    context, text = key
    node = flow.nodes.get(context)
    if node:
        return f"{context}, {'title' if text == node.title else 'text'}"
    service = next((s for s in flow.services.values() if service_context(s.id) == context), None)
    if service:
        return f"{context}, {'name' if text == service.name else 'hours'}"
    return context


def _names(flow: Flow, keys: Iterable[Key], most: int = 6) -> str:
    names = [string_name(flow, k) for k in keys]
    shown = "; ".join(names[:most])
    return shown + (f"; and {len(names) - most} more" if len(names) > most else "")


def _defined_at(flow: Flow, key: Key) -> tuple[str, int]:
    """The flow file and line where a string's English is written."""
    entry = flow.nodes.get(key[0]) or next((s for s in flow.services.values() if service_context(s.id) == key[0]),
                                           None)
    return (entry.file, entry.line) if entry else ("", 0)


_CAUSES = {  # reason -> what one string is, what several are
    serving.CHANGED: ("string changed in English is not translated yet", "strings changed in English are not translated yet"),
    serving.MISSING: ("string is not translated yet", "strings are not translated yet"),
    serving.DRAFT: ("string is a draft (fuzzy) no fluent speaker has approved yet",
                 "strings are drafts (fuzzy) no fluent speaker has approved yet"),
}
HINTS = {
    serving.CHANGED: ("A string changed in English: translators see the old and the new English side by side with "
                   "`hotline i18n export --lang LANG`. If the change kept the meaning (a fix of wording, not of "
                   "a fact), add `wording_only: true` to the node in the flow file and run `hotline i18n extract` "
                   "and `hotline i18n update`: residents then keep the translation of the English it replaced "
                   "until the new one arrives."),
    serving.MISSING: "A string has no translation yet: `hotline i18n export --lang LANG` lists what to translate.",
    serving.DRAFT: "A draft (fuzzy) is never served: a fluent speaker checks it and removes the fuzzy flag.",
    serving.PLACEHOLDERS: ("A translation must keep every {name} of its English exactly as written: each one "
                        "becomes a phone number. Until it does, residents get the English (or earlier) text."),
}


def language_problems(content: Content, translations: Path, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """Per language, what residents get instead of a translation, cause first: a translation
    with the wrong {placeholders} is an error (it is never served); strings served in English
    or from the earlier English are warnings (the language stays offered)."""
    out = []
    flow = content.flow
    for tag, cover in content.coverage.items():
        path = catalog_path(translations, tag)
        where = label_of(path, translations.parent)
        if not content.locales[tag].offered:
            out.append(_warn(label, lines.get(tag, 0), "", f"{tag}: not offered to residents ('offered: no' in "
                             f"{LOCALES_FILE})"))
        if tag == locales.SOURCE or cover.complete:
            continue
        if not path.exists():
            out.append(_warn(label, lines.get(tag, 0), "",
                             f"{tag}: no catalog yet, so not offered (hotline i18n update --lang {tag})"))
            continue
        for key, served in cover.because(serving.PLACEHOLDERS).items():
            out.append(Problem(where, served.line, key[0], f"{tag}: the translation of {string_name(flow, key)} "
                               f"{served.detail}: it is never served; residents get the English", kind=Kind.LANGUAGE))
        for reason, what in _CAUSES.items():
            found = cover.because(reason)
            if not found:
                continue
            one = len(found) == 1
            older = sum(s.how == serving.OLDER for s in found.values())
            got = [f"{len(found) - older} in English" if older < len(found) else "",
                   f"{older} in the translation of the earlier English (wording_only)" if older else ""]
            first_key, first = min(found.items(), key=lambda item: item[1].line or 10**9)
            at = (where, first.line) if first.line else _defined_at(flow, first_key)
            out.append(Problem(*at, first_key[0], f"{tag}: {len(found)} {what[0] if one else what[1]}: "
                               f"{_names(flow, found)} "
                               f"(residents get {' and '.join(g for g in got if g)})", WARNING, Kind.LANGUAGE))
    return out


def spent_wording_marks(content: Content) -> list[Problem]:
    """`wording_only` left on a node whose strings every language now translates: taken off,
    so that a later change of facts there is never served from an earlier translation."""
    pending = {k for c in content.coverage.values() for k in c.fallback}
    out = []
    entries: list[Node | Service] = [*content.flow.nodes.values(), *content.flow.services.values()]
    for entry in entries:
        context = entry.id if isinstance(entry, Node) else service_context(entry.id)
        keys = {(context, getattr(entry, f)) for f in entry.wording_only}
        if keys and not keys & pending:
            out.append(_warn(entry.file, entry.line, entry.id, "wording_only is no longer needed: every language "
                             "translates the new English; remove it, so that a later change of facts here is never "
                             "served from an earlier translation"))
    return out


def hints(content: Content) -> list[str]:
    """What to do about each kind of string that is not served in its translation, said once."""
    reasons = {s.reason for c in content.coverage.values() for s in c.fallback.values()}
    return [HINTS[r] for r in HINTS if r in reasons]


@dataclass(frozen=True)
class Language:
    """One row of the completeness table: how its strings reach residents."""

    tag: str
    name: str
    total: int
    translated: int
    older: int       # served in the translation of the earlier English (wording_only)
    english: int     # served in English: missing, changed, draft or broken translations
    sms: bool
    voice: bool


def languages(content: Content, settings: voice.VoiceSettings) -> list[Language]:
    heard = voice.heard_languages(content, settings)
    return [Language(tag, content.locales[tag].name, c.total, c.translated, c.older, c.english,
                     tag in content.offered, tag in heard) for tag, c in content.coverage.items()]


# What residents receive, per node and language -------------------------------------------

@dataclass(frozen=True)
class Cost:
    """One node in one language: the SMS pages and the voice prompt's length."""

    node: str
    lang: str
    pages: tuple[str, ...]
    voice_seconds: int | None

    @property
    def segments(self) -> int:
        return sum(gsm.segments(p) for p in self.pages)

    @property
    def encoding(self) -> str:
        return gsm.UCS2 if any(gsm.encoding(p) == gsm.UCS2 for p in self.pages) else gsm.GSM7

    def row(self) -> dict[str, object]:
        return {"node": self.node, "lang": self.lang, "pages": len(self.pages), "segments": self.segments,
                "encoding": self.encoding, "voice_seconds": self.voice_seconds}


def spoken_seconds(steps: tuple[calls.Step, ...]) -> int | None:
    """About how long the things said and the pauses of a voice answer take; None when it
    says nothing (recorded prompts)."""
    heard = list(calls.said(steps))
    said = " ".join(s.text for s in heard if isinstance(s, calls.Say))
    if not said.strip():
        return None
    pauses = sum(s.seconds for s in heard if isinstance(s, calls.Pause))
    characters = len(CJK.findall(said))
    words = len(CJK.sub(" ", said).split())
    return round(characters / CJK_PER_SECOND + words / WORDS_PER_SECOND + pauses)


def costs(content: Content, sms_settings: sms.SmsSettings, voice_settings: voice.VoiceSettings) -> list[Cost]:
    """Every node in every language with any translation, rendered by the real channels."""
    heard = voice.heard_languages(content, voice_settings)
    out = []
    for tag, cover in content.coverage.items():
        if not cover.translated:
            continue
        for nid in content.flow.nodes:
            pages = messaging.render(content, Reply(node=nid, lang=tag), sms_settings)
            seconds = None
            if tag in heard:  # "*" repeats the node: its whole prompt, as a caller hears it
                state = calls.encode(calls.Call(Session(lang=tag, node=nid)))
                seconds = spoken_seconds(voice.answer(content, voice_settings, state, "*", "").steps)
            out.append(Cost(nid, tag, tuple(pages), seconds))
    return out


def sms_problems(content: Content, rendered: list[Cost], budget: int) -> list[Problem]:
    """Pages over the segment budget, and replies in a Latin-script language that a
    character folding could not fix turns into UCS-2 (about twice the cost)."""
    out = []
    for cost in rendered:
        node = content.flow.nodes[cost.node]
        for i, page in enumerate(cost.pages, 1):
            if gsm.segments(page) > budget:
                out.append(_warn(node.file, node.line, node.id, f"[{cost.lang}] SMS page {i} is "
                                 f"{gsm.segments(page)} segments; the budget is {budget}"))
        if content.locales[cost.lang].folds and cost.encoding == gsm.UCS2:
            chars = {ch for p in cost.pages for ch in gsm.offenders(p)}
            named = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in sorted(chars))
            out.append(_warn(node.file, node.line, node.id, f"[{cost.lang}] SMS sent as UCS-2 because of {named}: "
                             "replace it with a GSM-7 character"))
    return out


_WORD = re.compile(r"\w+")


def fold_traps(content: Content, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """Words SMS folding turns into another word residents know (Polish "Sąd", court, arrives
    as "Sad", orchard), from the list staff keep per language (`fold_traps:` in
    locales.yaml): to be reworded, or the language sent unfolded (`sms: unicode`)."""
    flow, out = content.flow, []
    shown = [(m.context, m.text) for m in flow_messages(flow)]
    shown += [(p.context, p.text) for p in phrases.ALL if p.context.startswith(("sms.", "notice.", "fallback.sms"))]
    for tag in content.offered:
        locale, texts = content.locales[tag], content.texts_for(tag)
        traps = dict(locale.fold_traps)
        if not (locale.folds and traps):
            continue
        for key in shown:
            if not texts.translates(*key):
                continue
            for word in dict.fromkeys(_WORD.findall(texts.get(*key))):
                folded = gsm.fold(word)
                if folded != word and folded.casefold() in traps:
                    file, line = _defined_at(flow, key)  # a phrase of the line's own: its language's row
                    out.append(_warn(file or label, line if file else lines.get(tag, 0), key[0] if file else "",
                                     f"[{tag}] {string_name(flow, key)}: '{word}' arrives by SMS as '{folded}', "
                                     f"which reads as {traps[folded.casefold()]}: reword it (fold_traps, "
                                     f"{LOCALES_FILE})"))
    return out
