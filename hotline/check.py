"""`hotline check`: what would go wrong for a resident after a staff edit, found before the
line serves it. Each rule is a pure function over the loaded flow or content that returns
Problems (file, line, node) or table rows; `run` reads the files, the CLI only prints.

Errors (exit 1): everything the loader reports (YAML, duplicate keys or options, more
than nine options, unknown nodes, services or placeholders, a page without `source`),
nodes `main` does not reach, dead ends, phone numbers typed in text that services.yaml
does not have, and failing flow tests.

A dead end: 0 (main menu) and # (back) work on every node, so a resident can always
leave; what can go wrong is a place that leads to nothing useful. A page is useful; a
transfer is useful when its service has a phone or dial number; a menu is useful when one
of its options leads, directly or through other menus, to something useful. Any other
node is a dead end: a menu whose options are missing or only loop through menus, or a
transfer to a service without a number.
"""
from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from collections.abc import Mapping

import yaml
from babel.messages.pofile import read_po

from hotline import flowtests, gsm, sms, voice
from hotline.content import Content, load_content
from hotline.engine import Reply, Session
from hotline.flow.extract import flow_messages
from hotline.flow.load import read_flow, read_yaml
from hotline.flow.model import MENU, PAGE, PLACEHOLDER, TRANSFER, Flow, FlowError, Problem
from hotline.i18n import LOCALES_FILE, catalog_path, needed_messages
from hotline.understand.checks import understanding_problems

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
        and (flow.services[n.service].phone or flow.services[n.service].dial))}
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


def stale(flow: Flow, today: date, max_days: int) -> list[Problem]:
    """Pages' `reviewed` and services' `verified` dates that are missing, odd or too old."""
    out = []
    for n in flow.nodes.values():
        message = _date_warning("reviewed", n.reviewed, today, max_days) if n.kind == PAGE else None
        if message:
            out.append(_warn(n.file, n.line, n.id, message))
    for s in flow.services.values():
        message = _date_warning("verified", s.verified, today, max_days) if s.verified else None  # loader: missing
        if message:
            out.append(_warn(s.file, s.line, s.id, message))
    return out


def service_notes(flow: Flow) -> list[Problem]:
    return [_warn(s.file, s.line, s.id, f"check: {s.check}") for s in flow.services.values() if s.check]


def flow_problems(flow: Flow, today: date, max_days: int) -> list[Problem]:
    return (unreachable(flow) + dead_ends(flow) + typed_numbers(flow) + stale(flow, today, max_days)
            + service_notes(flow))


# Languages and catalogs -----------------------------------------------------------------

def _label(path: Path, base: Path) -> str:
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def _locale_lines(translations: Path) -> dict[str, int]:
    data = read_yaml((translations / LOCALES_FILE).read_text(encoding="utf-8"), [], LOCALES_FILE)
    return dict(getattr(data, "lines", {}))


def voice_gaps(content: Content, settings: voice.VoiceSettings, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """Languages callers cannot hear: no Twilio voice and not every prompt recorded."""
    out = []
    for tag in content.locales:
        if voice.hearing(content, settings, tag) == voice.SMS_ONLY:
            missing = len(voice.missing_recordings(content, settings, tag))
            url = "" if settings.recordings_url else "; RECORDINGS_URL is unset"
            out.append(_warn(label, lines.get(tag, 0), "", f"{tag}: no Twilio voice ('say:') and {missing} "
                             f"recorded prompt(s) missing{url}: SMS only (hotline voices --script {tag})"))
    return out


def catalog_gaps(content: Content, translations: Path, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """Languages not offered because their catalog has fuzzy or missing entries; the line
    named is the first entry to fix (or the language's row in locales.yaml, `label`)."""
    needed = set(needed_messages((m.context, m.text) for m in flow_messages(content.flow)))
    out = []
    for tag, cover in content.coverage.items():
        if cover.complete:
            continue
        path = catalog_path(translations, tag)
        if not path.exists():
            out.append(_warn(label, lines.get(tag, 0), "",
                             f"{tag}: no catalog yet, so not offered (hotline i18n update --lang {tag})"))
            continue
        with path.open("rb") as fh:
            gaps = [m for m in read_po(fh) if (m.context or "", m.id) in needed and (m.fuzzy or not m.string)]
        line, node = (gaps[0].lineno, gaps[0].context or "") if gaps else (0, "")
        out.append(_warn(_label(path, translations.parent), line, node,
                         f"{tag}: {cover.fuzzy} fuzzy and {cover.missing} missing of {cover.total}: "
                         "not offered by SMS or voice until complete"))
    return out


@dataclass(frozen=True)
class Language:
    """One row of the completeness table."""

    tag: str
    name: str
    total: int
    translated: int
    fuzzy: int
    missing: int
    sms: bool
    voice: bool


def languages(content: Content, settings: voice.VoiceSettings) -> list[Language]:
    heard = voice.heard_languages(content, settings)
    return [Language(tag, content.locales[tag].name, c.total, c.translated, c.fuzzy, c.missing,
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


def spoken_seconds(twiml: str) -> int | None:
    """About how long the <Say> text and pauses of a TwiML answer take; None when it says
    nothing (recorded prompts)."""
    root = ET.fromstring(twiml)
    said = " ".join(e.text or "" for e in root.iter("Say"))
    if not said.strip():
        return None
    pauses = sum(int(e.get("length", "1")) for e in root.iter("Pause"))
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
            pages = sms.render(content, Reply(node=nid, lang=tag), sms_settings)
            seconds = None
            if tag in heard:  # "*" repeats the node: its whole prompt, as a caller hears it
                state = voice.encode(Session(lang=tag, node=nid))
                seconds = spoken_seconds(voice.answer(content, voice_settings, state, "*", ""))
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


# The whole check --------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """`complete` is False when the flow did not load: the checks of languages, SMS, voice
    and flow tests need a flow that loads, and did not run."""

    problems: tuple[Problem, ...]
    complete: bool = True
    languages: tuple[Language, ...] = ()
    costs: tuple[Cost, ...] = ()
    tests: tuple[flowtests.Outcome, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != WARNING]

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": not self.errors, "complete": self.complete, "errors": len(self.errors),
            "warnings": len(self.problems) - len(self.errors),
            "problems": [asdict(p) for p in self.problems],
            "languages": [asdict(x) for x in self.languages],
            "costs": [c.row() for c in self.costs],
            "tests": [t.row() for t in self.tests],
        }


def run(flows: Path, translations: Path, cfg: Mapping, today: date | None = None) -> Report:
    """Every check over the files as they are on disk."""
    try:
        flow, problems = read_flow(flows)
    except FlowError as exc:
        return Report(tuple(exc.problems), complete=False)
    loaded = not problems
    problems = [_enclosing(flow, p) for p in problems]
    problems += flow_problems(flow, today or date.today(), int(cfg["REVIEW_MAX_DAYS"]))
    if not loaded:
        return Report(_sorted(problems), complete=False)
    locales = _label(translations / LOCALES_FILE, translations.parent)
    try:
        content = load_content(flows, translations)
        lines = _locale_lines(translations)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        problems.append(Problem(locales, 0, "", f"cannot read the languages: {exc}"))
        return Report(_sorted(problems), complete=False)
    sms_settings = sms.SmsSettings.from_config(cfg)
    voice_settings = voice.VoiceSettings.from_config(cfg)
    rendered = costs(content, sms_settings, voice_settings)
    problems += voice_gaps(content, voice_settings, locales, lines)
    problems += catalog_gaps(content, translations, locales, lines)
    problems += sms_problems(content, rendered, sms_settings.budget)
    problems += understanding_problems(content, locales, lines)
    tests = flowtests.run_folder(content, flows / flowtests.FOLDER, sms_settings)
    problems += [p for t in tests for p in t.problems]
    return Report(_sorted(problems), True, tuple(languages(content, voice_settings)), tuple(rendered), tuple(tests))


def _enclosing(flow: Flow, problem: Problem) -> Problem:
    """The loader names a duplicate YAML key by the key ('type'); name the node or service
    whose entry holds that line instead, so every problem says which node it is about."""
    if problem.node in flow.nodes or problem.node in flow.services:
        return problem
    entries = [e for e in (*flow.nodes.values(), *flow.services.values())
               if e.file == problem.file and 0 < e.line <= problem.line]
    if not entries:
        return problem
    return replace(problem, node=max(entries, key=lambda e: e.line).id)


def _sorted(problems: list[Problem]) -> tuple[Problem, ...]:
    """Errors first, then warnings, each in file and line order."""
    return tuple(sorted(problems, key=lambda p: (p.severity == WARNING, p.file, p.line)))


# The report as text ----------------------------------------------------------------------

def as_text(report: Report) -> str:
    out: list[str] = []
    if report.languages:
        out += ["Languages", f"  {'language':<24}{'total':>6}{'done':>6}{'fuzzy':>6}{'miss':>6}  SMS  voice"]
        out += [f"  {_pad(x.tag + ' ' + x.name, 24)}{x.total:>6}{x.translated:>6}{x.fuzzy:>6}{x.missing:>6}  "
                f"{_yes(x.sms):<5}{_yes(x.voice)}" for x in report.languages]
    if report.costs:
        tags = list(dict.fromkeys(c.lang for c in report.costs))
        cells = {(c.node, c.lang): c for c in report.costs}
        out += ["", "Per node and language: SMS segments of all pages (u: UCS-2), voice seconds (about; -: not heard)",
                f"  {'node':<24}" + "".join(f"{t:<9}" for t in tags)]
        out += [f"  {nid:<24}" + "".join(f"{_cell(cells[nid, t]):<9}" for t in tags)
                for nid in dict.fromkeys(c.node for c in report.costs)]
    if report.tests:
        out += ["", "Flow tests"] + [f"  {'ok  ' if t.passed else 'FAIL'}  {t.file}  {t.name}" for t in report.tests]
    if report.problems:
        out += ["", "Problems"] + ["  " + str(p).replace("\n", "\n    ") for p in report.problems]
    if not report.complete:
        out += ["", "The flow does not load, so languages, SMS, voice and flow tests were not checked."]
    errors, warnings = len(report.errors), len(report.problems) - len(report.errors)
    passed = sum(t.passed for t in report.tests)
    tests = f"flow tests: {passed} of {len(report.tests)} passed" if report.complete else "flow tests not run"
    out += ["", f"{errors} error(s), {warnings} warning(s); {tests}"]
    return "\n".join(row.rstrip() for row in out).lstrip("\n")


def as_json(report: Report) -> str:
    return json.dumps(report.as_dict(), ensure_ascii=False, indent=2)


def _pad(text: str, width: int) -> str:
    """Left-justify by what a terminal shows: wide CJK characters take two columns,
    combining marks none."""
    shown = sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - shown)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _cell(cost: Cost) -> str:
    seconds = "-" if cost.voice_seconds is None else f"{cost.voice_seconds}s"
    return f"{cost.segments}{'u' if cost.encoding == gsm.UCS2 else ''} {seconds}"
