"""What the check found, as a `Report`, and as text (`hotline check`) or JSON (`--json`)."""
from __future__ import annotations

import json
import textwrap
import unicodedata
from dataclasses import asdict, dataclass, field

from hotline.channels import gsm
from hotline.check import flowtests
from hotline.check.rules import WARNING, Cost, Language
from hotline.content import Content
from hotline.flow.model import Kind, Problem


@dataclass(frozen=True)
class Report:
    """What the check found in one version. `complete` is False when the flow did not load:
    the checks of languages, SMS, voice and flow tests need a flow that loads, and did not
    run. `content` is that version loaded (None when it does not load): what the line
    serves when the check lets it, never loaded a second time."""

    problems: tuple[Problem, ...]
    complete: bool = True
    languages: tuple[Language, ...] = ()
    costs: tuple[Cost, ...] = ()
    tests: tuple[flowtests.Outcome, ...] = ()
    hints: tuple[str, ...] = ()
    content: Content | None = field(default=None, repr=False, compare=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != WARNING]

    @property
    def refusals(self) -> list[Problem]:
        """The errors that keep a version off the line: all but broken translations, each of
        which falls back on its own (never served itself) and takes nothing else off the line."""
        return [p for p in self.errors if p.kind != Kind.LANGUAGE]

    @property
    def servable(self) -> Content | None:
        """The loaded content when nothing keeps this version off the line."""
        return None if self.refusals else self.content

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": not self.errors, "complete": self.complete, "errors": len(self.errors),
            "warnings": len(self.problems) - len(self.errors),
            "problems": [{**asdict(p), "kind": p.kind.value} for p in self.problems],
            "languages": [asdict(x) for x in self.languages],
            "costs": [c.row() for c in self.costs],
            "tests": [t.row() for t in self.tests],
            "hints": list(self.hints),
        }


def as_text(report: Report) -> str:
    """Problems first, causes before their effects (see `version.ordered`), then the tables."""
    out: list[str] = []
    if report.errors:
        out += ["Errors: the line keeps serving the last good version until these are fixed"]
        out += ["  " + str(p).replace("\n", "\n    ") for p in report.errors]
    warned = [p for p in report.problems if p.severity == WARNING]
    if warned:
        out += ["", "Warnings: served anyway"] + ["  " + str(p).replace("\n", "\n    ") for p in warned]
    if report.hints:
        out += ["", "What to do"] + [textwrap.fill(h, 100, initial_indent="  - ", subsequent_indent="    ")
                                     for h in report.hints]
    if report.languages:
        out += ["", "Languages: strings translated, from the earlier English (older), in English", f"  {'language':<24}"
                f"{'total':>6}{'done':>6}{'older':>6}{'Engl.':>6}  SMS  voice"]
        out += [f"  {_pad(x.tag + ' ' + x.name, 24)}{x.total:>6}{x.translated:>6}{x.older:>6}{x.english:>6}  "
                f"{_yes(x.sms):<5}{_yes(x.voice)}" for x in report.languages]
    if report.costs:
        tags = list(dict.fromkeys(c.lang for c in report.costs))
        cells = {(c.node, c.lang): c for c in report.costs}
        out += ["", "Per node and language: SMS segments of all pages (u: UCS-2), voice seconds (about; -: not heard)",
                f"  {'node':<24}" + "".join(f"{t:<9}" for t in tags)]
        out += [f"  {nid:<24}" + "".join(f"{_cell(cells[nid, t]):<9}" for t in tags)
                for nid in dict.fromkeys(c.node for c in report.costs)]
    if report.tests:
        out += ["", "Flow tests"] + [f"  {t.status:<4}  {t.file}  {t.name}" for t in report.tests]
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
