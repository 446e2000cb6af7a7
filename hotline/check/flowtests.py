"""Flow tests: conversations staff write down in `flows/tests/*.yaml` that the line must
keep giving. Each runs through the real channel, driven as the simulator drives it (`hotline.simulate`),
with the state kept in memory, so it needs no Redis and sees exactly what a
resident receives or a caller hears.

```yaml
name: Legal help in Spanish
channel: sms                  # or whatsapp; or voice: a key, "say: words", or "" for silence
steps:
  - send: hola
    expect: ["Sus derechos en Chicago"]   # text the reply must contain
  - send: "5"
    expect: ["ICIRR", "{icirr}"]          # {service_id}: that service's number, as SMS writes it
    not: ["Sorry"]                        # text it must not contain    (or as a caller hears it)
  - send: la migra está en mi puerta      # a resident's own words
    reaches: [ice_door]                   # the node(s) they must lead to, or be in the short list
  - send: "1"
    expect: ["No abra la puerta", "orden firmada por un juez"]
```
Matching ignores case, accents (SMS may fold them) and line breaks. A text step is judged
by the whole page it shows, every part a resident can read with MORE (without the line's
own "Reply MORE" prompts), so a test means the same at any segment budget
(HOTLINE_SMS_SEGMENTS); a step that sends MORE is judged by that same whole page. A test
stops at its first failing step: the steps after it depend on where that one left the
resident.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotline import simulate
from hotline.channels import SMS, VOICE, WHATSAPP, gsm, messaging, sms, voice, whatsapp
from hotline.channels.render import fill
from hotline.content import Content
from hotline.engine import Reply
from hotline.flow.load import Located, read_yaml
from hotline.flow.model import PLACEHOLDER, Kind, Problem
from hotline.languages.phrases import MORE

FOLDER = "tests"
CHANNELS = (SMS, WHATSAPP, VOICE)
TEST_KEYS = {"name", "channel", "steps"}
STEP_KEYS = {"send", "expect", "not", "reaches"}


@dataclass(frozen=True)
class Step:
    send: str
    expect: tuple[str, ...]
    absent: tuple[str, ...]
    line: int
    reaches: tuple[str, ...] = ()  # node ids: where the resident must be, or in the short list


@dataclass(frozen=True)
class Outcome:
    """One test file: its name and what went wrong (nothing when it passed)."""

    file: str
    name: str
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        """No error: a warning says why it fails for now, and that it is expected to."""
        return all(p.severity == "warning" for p in self.problems)

    @property
    def status(self) -> str:
        return "FAIL" if not self.passed else "warn" if self.problems else "ok"

    def row(self) -> dict[str, object]:
        return {"file": self.file, "name": self.name, "passed": self.passed}


def _texts(value: Any) -> tuple[str, ...]:
    """`expect: ICIRR` or `expect: [ICIRR, 1-855]`: a list of texts either way."""
    values = value if isinstance(value, list) else [] if value is None else [value]
    return tuple(str(v) for v in values if not isinstance(v, (dict, list)))


def read_test(data: Any, label: str) -> tuple[str, str, list[Step], list[Problem]]:
    """A parsed test file -> its name, channel, steps, and what is wrong with how it is written."""
    problems: list[Problem] = []

    def bad(line: int, message: str) -> None:
        problems.append(Problem(label, line, "", message))

    if not isinstance(data, Located):
        bad(1, "a flow test holds 'name:', 'channel:' and 'steps:'")
        return Path(label).stem, "sms", [], problems
    name = str(data.get("name") or Path(label).stem)
    for key in data.keys() - TEST_KEYS:
        bad(data.lines[key], f"unknown key '{key}'; a test has {', '.join(sorted(TEST_KEYS))}")
    channel = str(data.get("channel") or "sms")
    if channel not in CHANNELS:
        bad(data.lines.get("channel", 1), f"channel '{channel}' is not one of {', '.join(CHANNELS)}")
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
            bad(item.lines[key], f"unknown key '{key}'; a step has send, expect, not and reaches")
        if item.get("send") is None or isinstance(item["send"], bool):
            bad(item.line, "write what the step sends in quotes: send: \"#\" (YAML reads a bare # as a "
                           "comment, and yes, no, on, off as true or false)")
            continue
        steps.append(Step(str(item["send"]), _texts(item.get("expect")), _texts(item.get("not")), item.line,
                          _texts(item.get("reaches"))))
    return name, channel, steps, problems


def _plain(text: str) -> str:
    return " ".join(gsm.fold(text).casefold().split())


def run_steps(content: Content, name: str, channel: str, steps: list[Step], label: str,
              texting: Mapping[str, messaging.TextChannel]) -> list[Problem]:
    """Send each step as a resident would; the first step whose reply misses a text it
    should have, or has one it should not, fails the test. `texting`: the text channels' settings."""
    services = content.flow.services
    unknown = sorted({n for s in steps for t in (*s.expect, *s.absent) for n in PLACEHOLDER.findall(t)} - set(services))
    if unknown:
        line = next(s.line for s in steps if any(f"{{{unknown[0]}}}" in t for t in (*s.expect, *s.absent)))
        return [Problem(label, line, "", f"flow test {name!r}: {', '.join(f'{{{n}}}' for n in unknown)} "
                        "names no service in services.yaml", kind=Kind.FLOW_TEST)]
    phone = (lambda s: voice.spell(s.phone)) if channel == VOICE else (lambda s: s.phone)
    replies = _voice_replies(content, steps) if channel == VOICE else _text_replies(content, steps, texting[channel])
    for number, (step, (reply, node, offer)) in enumerate(zip(steps, replies, strict=True), 1):
        missing = [t for t in step.expect if _plain(fill(t, content.flow, phone)) not in _plain(reply)]
        unwanted = [t for t in step.absent if _plain(fill(t, content.flow, phone)) in _plain(reply)]
        astray = step.reaches and not set(step.reaches) & {node, *offer}
        if missing or unwanted or astray:
            wrong = "; ".join([f"expected {t!r}" for t in missing] + [f"did not expect {t!r}" for t in unwanted]
                              + ([f"expected to reach {' or '.join(step.reaches)}, reached "
                                  f"{'the list ' + ', '.join(offer) if offer else node or 'nothing'}"] if astray else []))
            shown = "\n".join(f"| {line}" for line in (reply or "(no reply)").splitlines())
            return [Problem(label, step.line, node,
                            f"flow test {name!r} step {number}: sent {step.send!r}, {wrong}; the line replied:\n{shown}",
                            kind=Kind.FLOW_TEST)]
    return []


Replies = Iterator[tuple[str, str, tuple[str, ...]]]  # what was received, the node, a short list


def _text_replies(content: Content, steps: list[Step], channel: messaging.TextChannel) -> Replies:
    """What each text gets back (the whole page: `_whole`), and the node (and short list)
    it leaves the resident at."""
    for _, answer in simulate.text_turns(content, channel, None, (s.send for s in steps)):
        reply = answer.reply
        if reply is None or not answer.texts:  # an opt-out's confirmation, or nothing
            yield "\n".join(answer.texts), "", ()
        else:
            yield _whole(content, reply, channel), reply.node or "", reply.offer


def _whole(content: Content, reply: Reply, channel: messaging.TextChannel) -> str:
    """Every part of the page a reply shows, as a resident reads it with MORE, without the
    line's own prompt to send MORE: the same text at any segment budget, whichever part
    this reply sent."""
    parts = messaging.render(content, reply, channel)
    texts = content.texts_for(reply.lang)
    folds = content.locales[texts.locale.tag].folds
    prompts = [channel.finish("\n\n" + texts.phrase(MORE, page=n, pages=len(parts)), folds)
               for n in range(1, len(parts))]
    return "\n".join(part.removesuffix(prompt) for part, prompt in zip(parts, [*prompts, ""], strict=True))


def _voice_replies(content: Content, steps: list[Step]) -> Replies:
    """What a caller hears after each key, words or silence (`simulate.call_input`); the call
    starts before the first step (its welcome is not checked) and a step after it ended
    hears nothing."""
    turns = simulate.call_turns(content, voice.VoiceSettings(), None, (s.send for s in steps))
    next(turns)
    for _, heard in turns:
        session = heard.session
        yield heard.text, session.node if session else "", session.offer if session else ()


def run_folder(content: Content, folder: Path, cfg: Mapping[str, Any], only: str = "*.yaml") -> list[Outcome]:
    """Every `*.yaml` test in `folder` (or the one named `only`), in name order, with the text
    channels as `cfg` sets them; labels are relative to the flows' parent, like the flows'
    own (flows/tests/legal.yaml)."""
    texting = {SMS: sms.SmsSettings.from_config(cfg), WHATSAPP: whatsapp.WhatsAppSettings.from_config(cfg)}
    outcomes = []
    for path in sorted(folder.glob(only)):
        label = str(path.relative_to(folder.parent.parent))
        problems: list[Problem] = []
        data = read_yaml(path.read_text(encoding="utf-8"), problems, label)
        name, channel, steps, written = read_test(data, label)
        problems = problems or written  # a YAML error explains itself; the rest would repeat it
        outcomes.append(Outcome(label, name, tuple(problems or run_steps(content, name, channel, steps, label, texting))))
    return outcomes
