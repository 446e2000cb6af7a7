"""A voice turn as a value: the steps a caller hears, and the one function that writes them as
TwiML with the twilio library.

`voice` builds the steps; the webhooks send `twiml(steps)`; the simulator, the flow tests and
the check read the steps themselves, so nothing reads the TwiML back. The call's place
(`Session`) rides in the URLs a Gather, Dial and Redirect name: `encode` writes it.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from twilio.twiml.voice_response import Gather as GatherVerb, VoiceResponse

from hotline.engine import Session

TIMEOUT = 6  # seconds of silence after a prompt
MAX_MISSES = 3  # prompts that got nothing usable before a person is offered
STEP, DIALED = "step", "dialed"  # the webhooks a call's URLs name: a Gather's result, a Dial's end


@dataclass(frozen=True)
class Call:
    """Where a call is: the engine's session, and the one place only a call has, the offer of
    a person after MAX_MISSES misses (its answer is a yes or a goodbye, not a step)."""

    session: Session
    person_offered: bool = False


@dataclass(frozen=True)
class Say:
    text: str
    language: str | None
    voice: str | None = None


@dataclass(frozen=True)
class Play:
    url: str


@dataclass(frozen=True)
class Pause:
    seconds: int = 1


Said = Say | Play | Pause


@dataclass(frozen=True)
class Gather:
    """One keypress or words, while `said` is heard; the result goes to /voice/step with `state`.
    `language`: the speech language listened for (None: keys only); `hints`: words to expect."""

    said: tuple[Said, ...]
    state: Call
    language: str | None
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dial:
    """A transfer; /voice/dialed hears how it ended, with `state`."""

    number: str
    state: Call


@dataclass(frozen=True)
class Redirect:
    """Back to /voice/step with `state`: how silence after a Gather arrives."""

    state: Call


@dataclass(frozen=True)
class Hangup:
    pass


Step = Say | Play | Pause | Gather | Dial | Redirect | Hangup


def encode(call: Call) -> str:
    """`lang.node.misses.page.trail...`: where the call is; never who is calling. A short
    list offered for the caller's words rides on the node: `node+first+second`; the offer of
    a person is misses at MAX_MISSES (`voice.decode` reads both back)."""
    session = call.session
    misses = MAX_MISSES if call.person_offered else session.misses
    fields = (session.lang or "", "+".join((session.node, *session.offer)), str(misses), str(session.page))
    return ".".join(fields + session.trail)


def url(base_url: str, action: str, call: Call) -> str:
    return f"{base_url}/voice/{action}?s={quote(encode(call), safe='')}"


def twiml(steps: tuple[Step, ...], base_url: str) -> str:
    """The steps as the TwiML document Twilio plays; URLs start with `base_url` ("" keeps them relative)."""
    response = VoiceResponse()
    for step in steps:
        if isinstance(step, Gather):
            speech = step.language
            gather = response.gather(
                input="dtmf speech" if speech else "dtmf", action=url(base_url, STEP, step.state),
                num_digits=1, finish_on_key="", timeout=TIMEOUT, language=speech,
                speech_timeout="auto" if speech else None,
                hints=", ".join(h.replace(",", " ") for h in step.hints) if speech and step.hints else None,
            )
            for inner in step.said:
                _say(gather, inner)
        elif isinstance(step, Dial):
            response.dial(step.number, action=url(base_url, DIALED, step.state))
        elif isinstance(step, Redirect):
            response.redirect(url(base_url, STEP, step.state))
        elif isinstance(step, Hangup):
            response.hangup()
        else:
            _say(response, step)
    return str(response)


def _say(verb: VoiceResponse | GatherVerb, step: Said) -> None:
    if isinstance(step, Say):
        verb.say(step.text, language=step.language, voice=step.voice)
    elif isinstance(step, Play):
        verb.play(step.url)
    else:
        verb.pause(length=step.seconds)


def said(steps: tuple[Step, ...]) -> Iterator[Said]:
    """Everything the steps say or play, a Gather's prompts included, in order."""
    for step in steps:
        if isinstance(step, Gather):
            yield from step.said
        elif isinstance(step, (Say, Play, Pause)):
            yield step
