"""One conversation with the line, turn by turn, as `hotline simulate`, "Try the line" (the
staff simulator) and the flow tests drive it: through the webhooks' own functions
(`messaging.answer`; `voice.start`, `voice.answer`, `voice.dialed`), the state kept by the
caller of these functions, nothing stored and nothing counted.

One input syntax everywhere. A text is sent as typed. On a call, a line that is one key
(`0`-`9`, `*`, `#`) is that keypress; `say: words` is those words spoken (`say: 1` is the
word "one" as the recognizer writes it); an empty line is silence; anything else is words
spoken too. So "12" is the words "12" (a caller presses one key at a time), never key 1.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hotline.channels import calls, messaging, voice
from hotline.channels.calls import Dial, Gather, Pause, Play, Say
from hotline.content import Content
from hotline.engine import Session, Start, step

KEYS = frozenset("0123456789*#")
SAY = "say:"


def call_input(line: str) -> tuple[str, str]:
    """A typed line on a call -> (digits, speech), by the rule above."""
    said = line.strip()
    if said.lower().startswith(SAY):
        return "", said[len(SAY):].strip()
    return (said, "") if said in KEYS else ("", said)


# Texts ------------------------------------------------------------------------------------

def text_turn(content: Content, channel: messaging.TextChannel, session: Session | None, line: str | None,
         lang: str | None = None) -> messaging.TextAnswer:
    """One text and its answer; `line` None: first contact in `lang` (the main menu's first
    message, as a resident who chose the language receives it)."""
    if line is None:
        started, reply = step(content.flow, None, Start(lang))
        return messaging.TextAnswer(started, tuple(messaging.render(content, reply, channel)[:1]), reply)
    return messaging.answer(content, session, line, channel)


def text_turns(content: Content, channel: messaging.TextChannel, lang: str | None,
          lines: Iterable[str]) -> Iterator[tuple[str | None, messaging.TextAnswer]]:
    """A conversation: first contact when `lang` is given, then each line and its answer."""
    answer = text_turn(content, channel, None, None, lang) if lang else messaging.TextAnswer(None, ())
    if lang:
        yield None, answer
    for line in lines:
        answer = text_turn(content, channel, answer.session, line)
        yield line, answer


# Calls ------------------------------------------------------------------------------------

Prompt = Say | Play | Pause | Dial


@dataclass(frozen=True)
class Heard:
    """What a caller hears from one turn, up to where the line listens again (what comes
    after a Gather is what silence leads to, heard on the next turn)."""

    prompts: tuple[Prompt, ...] = ()
    call: calls.Call | None = None  # where the call listens (None: the call ended)
    speech: str | None = None       # the speech language it listens for
    dialed: calls.Call | None = field(default=None, repr=False)  # a transfer, reported back with this

    @property
    def session(self) -> Session | None:
        return self.call.session if self.call else None

    @property
    def state(self) -> str | None:
        """The state as the call's URLs carry it."""
        return calls.encode(self.call) if self.call else None

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.prompts if isinstance(p, Say))


def heard(steps: tuple[calls.Step, ...]) -> Heard:
    prompts: list[Prompt] = []
    dialed = None
    for each in steps:
        if isinstance(each, Gather):
            return Heard((*prompts, *each.said), each.state, each.language, dialed)
        if isinstance(each, Dial):
            dialed = each.state
        if isinstance(each, (Say, Play, Pause, Dial)):
            prompts.append(each)
    return Heard(tuple(prompts), None, None, dialed)


def call_turn(content: Content, settings: voice.VoiceSettings, state: str | None, line: str | None,
         lang: str | None = None) -> Heard:
    """One turn of a call at `state` (as its URLs carry it). `line` None: a new call (in `lang`
    when given). A transfer is taken as not answered, so what a caller then hears is heard too."""
    if line is None:
        answered = voice.start(content, settings, lang)
    else:
        answered = voice.answer(content, settings, state, *call_input(line))
    turn = heard(answered.steps)
    if turn.dialed:
        after = heard(voice.dialed(content, settings, calls.encode(turn.dialed), "no-answer").steps)
        turn = Heard(turn.prompts + after.prompts, after.call, after.speech)
    return turn


def call_turns(content: Content, settings: voice.VoiceSettings, lang: str | None,
               lines: Iterable[str]) -> Iterator[tuple[str | None, Heard]]:
    """A call: its first turn, then each line and what it heard (nothing once the call ended)."""
    turn = call_turn(content, settings, None, None, lang)
    yield None, turn
    for line in lines:
        turn = call_turn(content, settings, turn.state, line) if turn.call else Heard()
        yield line, turn


def shown(prompt: Prompt) -> dict[str, Any]:
    """A prompt as the staff simulator's JSON gives it."""
    if isinstance(prompt, Say):
        return {"text": prompt.text, "language": prompt.language, "voice": prompt.voice}
    if isinstance(prompt, Play):
        return {"play": prompt.url}
    if isinstance(prompt, Pause):
        return {"pause": prompt.seconds}
    return {"dial": prompt.number}
