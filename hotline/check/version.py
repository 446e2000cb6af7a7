"""The whole check over one version of the content: every rule (`rules`), the flow tests
(`flowtests`), and the version loaded once, handed back in the `Report` so that what is
served is exactly what was checked. A version comes as two folders (`run`) or as files
(`check_files`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from hotline.channels import sms, voice
from hotline.check import flowtests
from hotline.check.report import Report
from hotline.check.rules import (
    WARNING,
    costs,
    flow_problems,
    fold_traps,
    hints,
    label_of,
    language_problems,
    languages,
    locale_lines,
    sms_problems,
    spent_wording_marks,
    stale_recordings,
    voice_gaps,
)
from hotline.content import Content, load_content
from hotline.content.files import FLOWS, TRANSLATIONS, Files, written
from hotline.flow.load import explain_yaml, read_flow
from hotline.flow.model import Flow, FlowError, Kind, Node, Problem, Service
from hotline.languages import placeholders
from hotline.languages.locales import LOCALES_FILE
from hotline.languages.texts import Texts
from hotline.understand.checks import understanding_problems


def run(flows: Path, translations: Path, cfg: Mapping[str, Any], today: date | None = None, advice: bool = True) -> Report:
    """Every check over the version in these folders, loaded once (each catalog read once).
    `advice=False` (the serving gate, `gate`) leaves out the rules that only ever warn (what
    SMS and calls cost, voices and recordings, understanding): they cannot keep a version off
    the line, and took most of the check's time."""
    try:
        flow, problems = read_flow(flows)
    except FlowError as exc:
        return Report(tuple(exc.problems), complete=False)
    loaded = not problems
    problems = [_enclosing(flow, p) for p in problems]
    problems += flow_problems(flow, today or date.today(), int(cfg["REVIEW_MAX_DAYS"]))
    if not loaded:
        return Report(ordered(problems), complete=False)
    locales = label_of(translations / LOCALES_FILE, translations.parent)
    try:
        content = load_content(flows, translations, flow)
        lines = locale_lines(translations)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        line, why = (explain_yaml(exc, (translations / LOCALES_FILE).read_text(encoding="utf-8"))
                     if isinstance(exc, yaml.YAMLError) else (0, str(exc)))
        problems.append(Problem(locales, line, "", f"cannot read the languages: {why}"))
        return Report(ordered(problems), complete=False)
    problems += language_problems(content, translations, locales, lines)
    tests = flowtests.run_folder(content, flows / flowtests.FOLDER, cfg)
    tests = [_unoffered(_explained(t, content, flows, cfg), content, flows, cfg) for t in tests]
    problems += [p for t in tests for p in t.problems]
    if not advice:
        return Report(ordered(problems), True, tests=tuple(tests), content=content)
    sms_settings = sms.SmsSettings.from_config(cfg)
    voice_settings = voice.VoiceSettings.from_config(cfg)
    rendered = costs(content, sms_settings, voice_settings)
    problems += voice_gaps(content, voice_settings, locales, lines)
    problems += stale_recordings(content, voice_settings, Path(cfg["RECORDINGS"]), locales, lines)
    problems += spent_wording_marks(content) + sms_problems(content, rendered, sms_settings.budget)
    problems += fold_traps(content, locales, lines)
    problems += understanding_problems(content, locales, lines)
    return Report(ordered(problems), True, tuple(languages(content, voice_settings)), tuple(rendered), tuple(tests),
                  tuple(hints(content)), content)


def check_files(files: Files, cfg: Mapping[str, Any], today: date | None = None, advice: bool = True) -> Report:
    """Every check over a version given as files (`hotline.content.files`)."""
    with written(files) as root:
        return run(root / FLOWS, root / TRANSLATIONS, cfg, today, advice)


def gate(files: Files, cfg: Mapping[str, Any]) -> Report:
    """The serving gate: a version is served when `Report.servable` (no error but broken
    translations), and what is served is the content this loaded."""
    return check_files(files, cfg, advice=False)


def as_if_translated(content: Content) -> Content:
    """The content with every string now served in English served in its earlier translation,
    its draft or its broken translation instead: about what it will read like once
    translators catch up."""
    texts = {tag: Texts(t.locale, {**t.messages, **{k: placeholders.placeholders_repaired(k[1], s.stale)
                                                    for k, s in content.coverage[tag].fallback.items() if s.stale}})
             for tag, t in content.texts.items()}
    return replace(content, texts=texts)


def _explained(outcome: flowtests.Outcome, content: Content, flows: Path, cfg: Mapping[str, Any]) -> flowtests.Outcome:
    """A flow test that fails only because its language now gets a changed string in
    English, and passes as soon as that string is translated, is a warning naming that
    cause: an urgent English correction must not wait for every translator."""
    if outcome.passed or not any(c.fallback for c in content.coverage.values()):
        return outcome
    again = flowtests.run_folder(as_if_translated(content), flows / flowtests.FOLDER, cfg,
                                 only=Path(outcome.file).name)
    if not again or not again[0].passed:
        return outcome
    note = ("\n  This passes again once the strings now served in English are translated (see the warnings "
            "about them above); until then residents get those strings in English.")
    return replace(outcome, problems=tuple(replace(p, severity=WARNING, message=p.message + note)
                                           for p in outcome.problems))


def _unoffered(outcome: flowtests.Outcome, content: Content, flows: Path, cfg: Mapping[str, Any]) -> flowtests.Outcome:
    """A flow test that fails only because staff took its language off the line (`offered:
    no`) is a warning: taking a language off must not stop the line from starting."""
    every = tuple(tag for tag in content.locales if tag in content.texts)
    if outcome.passed or content.offered == every:
        return outcome
    again = flowtests.run_folder(replace(content, offered=every), flows / flowtests.FOLDER, cfg,
                                 only=Path(outcome.file).name)
    if not again or not again[0].passed:
        return outcome
    off = ", ".join(tag for tag in every if tag not in content.offered)
    note = f"\n  This passes while {off} is offered; it is not ('offered: no' in locales.yaml)."
    return replace(outcome, problems=tuple(replace(p, severity=WARNING, message=p.message + note)
                                           for p in outcome.problems))


def _enclosing(flow: Flow, problem: Problem) -> Problem:
    """The loader names a duplicate YAML key by the key ('type'); name the node or service
    whose entry holds that line instead, so every problem says which node it is about."""
    if problem.node in flow.nodes or problem.node in flow.services:
        return problem
    every: list[Node | Service] = [*flow.nodes.values(), *flow.services.values()]
    entries = [e for e in every if e.file == problem.file and 0 < e.line <= problem.line]
    if not entries:
        return problem
    return replace(problem, node=max(entries, key=lambda e: e.line).id)


def ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    """Errors first, then warnings; causes before effects: a failing flow test comes after the
    mistakes that may explain it, and what residents get in each language comes before
    the other warnings. Then file and line order."""
    def rank(p: Problem) -> tuple[bool, bool, bool, str, int]:
        return (p.severity == WARNING, p.kind == Kind.FLOW_TEST, p.kind != Kind.LANGUAGE, p.file, p.line)
    return tuple(sorted(problems, key=rank))
