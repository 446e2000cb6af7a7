"""Flow tests: conversations staff write down in `flows/tests/*.yaml` that the line must
keep giving. Each runs through the real SMS channel (`sms.answer`) with the session kept
in memory, so it needs no Redis and sees exactly what a resident would receive.

```yaml
name: Legal help in Spanish
channel: sms                  # only sms for now
steps:
  - send: hola
    expect: ["Sus derechos en Chicago"]   # text the reply must contain
  - send: "5"
    expect: ["ICIRR"]
    not: ["Sorry"]                        # text it must not contain
```
Matching ignores case, accents (SMS may fold them) and line breaks. A test stops at its
first failing step: the steps after it depend on where that one left the resident.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline import gsm, sms
from hotline.content import Content
from hotline.engine import Session
from hotline.flow.load import Located, read_yaml
from hotline.flow.model import Problem

FOLDER = "tests"
CHANNELS = ("sms",)
TEST_KEYS = {"name", "channel", "steps"}
STEP_KEYS = {"send", "expect", "not"}


@dataclass(frozen=True)
class Step:
    send: str
    expect: tuple[str, ...]
    absent: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Outcome:
    """One test file: its name and what went wrong (nothing when it passed)."""

    file: str
    name: str
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        return not self.problems

    def row(self) -> dict[str, object]:
        return {"file": self.file, "name": self.name, "passed": self.passed}


def _texts(value: Any) -> tuple[str, ...]:
    """`expect: ICIRR` or `expect: [ICIRR, 1-855]`: a list of texts either way."""
    values = value if isinstance(value, list) else [] if value is None else [value]
    return tuple(str(v) for v in values if not isinstance(v, (dict, list)))


def read_test(data: Any, label: str) -> tuple[str, list[Step], list[Problem]]:
    """A parsed test file -> its name, its steps, and what is wrong with how it is written."""
    problems: list[Problem] = []

    def bad(line: int, message: str) -> None:
        problems.append(Problem(label, line, "", message))

    if not isinstance(data, Located):
        bad(1, "a flow test holds 'name:', 'channel:' and 'steps:'")
        return Path(label).stem, [], problems
    name = str(data.get("name") or Path(label).stem)
    for key in data.keys() - TEST_KEYS:
        bad(data.lines[key], f"unknown key '{key}'; a test has {', '.join(sorted(TEST_KEYS))}")
    channel = str(data.get("channel") or "sms")
    if channel not in CHANNELS:
        bad(data.lines.get("channel", 1), f"channel '{channel}' cannot be tested yet; use sms")
    raw = data.get("steps")
    if not isinstance(raw, list) or not raw:
        bad(data.lines.get("steps", 1), "'steps:' must list what to send, like - send: hola")
        raw = []
    steps = []
    for item in raw:
        if not isinstance(item, Located):
            bad(data.lines.get("steps", 1), "each step is '- send: ...' with 'expect:' and/or 'not:'")
            continue
        for key in item.keys() - STEP_KEYS:
            bad(item.lines[key], f"unknown key '{key}'; a step has send, expect and not")
        if item.get("send") is None or isinstance(item["send"], bool):
            bad(item.line, "write what the step sends in quotes: send: \"#\" (YAML reads a bare # as a "
                           "comment, and yes, no, on, off as true or false)")
            continue
        steps.append(Step(str(item["send"]), _texts(item.get("expect")), _texts(item.get("not")), item.line))
    return name, steps, problems


def _plain(text: str) -> str:
    return " ".join(gsm.fold(text).casefold().split())


def run_steps(content: Content, name: str, steps: list[Step], label: str,
              settings: sms.SmsSettings) -> list[Problem]:
    """Send each step's text as a resident would; the first step whose reply misses a text
    it should have, or has one it should not, fails the test."""
    session: Session | None = None
    for number, step in enumerate(steps, 1):
        answer = sms.answer(content, session, step.send, settings)
        session = answer.session
        reply = "\n".join(answer.texts)
        missing = [t for t in step.expect if _plain(t) not in _plain(reply)]
        unwanted = [t for t in step.absent if _plain(t) in _plain(reply)]
        if missing or unwanted:
            wrong = "; ".join([f"expected {t!r}" for t in missing] + [f"did not expect {t!r}" for t in unwanted])
            node = (answer.reply.node or "") if answer.reply else ""
            shown = "\n".join(f"| {line}" for line in (reply or "(no reply)").splitlines())
            return [Problem(label, step.line, node,
                            f"flow test {name!r} step {number}: sent {step.send!r}, {wrong}; the line replied:\n{shown}")]
    return []


def run_folder(content: Content, folder: Path, settings: sms.SmsSettings) -> list[Outcome]:
    """Every `*.yaml` test in `folder`, in name order; labels are relative to the flows'
    parent, like the flows' own (flows/tests/legal.yaml)."""
    outcomes = []
    for path in sorted(folder.glob("*.yaml")):
        label = str(path.relative_to(folder.parent.parent))
        problems: list[Problem] = []
        data = read_yaml(path.read_text(encoding="utf-8"), problems, label)
        name, steps, written = read_test(data, label)
        problems = problems or written  # a YAML error explains itself; the rest would repeat it
        outcomes.append(Outcome(label, name, tuple(problems or run_steps(content, name, steps, label, settings))))
    return outcomes
