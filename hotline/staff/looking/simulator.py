"""Try the line: the page's side of the one conversation driver (`hotline.simulate`, which
`hotline simulate` and the flow tests use too), keeping the conversation in the page: an
opaque session goes to the browser and back. Nothing is written to Redis and nothing is
counted."""
from __future__ import annotations

from typing import Any

from hotline import simulate as simulator
from hotline.channels import MAX_MESSAGE, gsm, messaging, sms, voice
from hotline.content import Content
from hotline.engine import Session
from hotline.storage import sessions

MAX_INPUT = MAX_MESSAGE  # characters: the most Twilio delivers of one text
MAX_STATE = 2000         # characters of a simulated session: the simulator's caches stay small


def costed(text: str, channel: messaging.TextChannel) -> dict[str, Any]:
    """A message with what it costs: by SMS its encoding and segments, by WhatsApp its length."""
    cost: dict[str, Any] = {"text": text, "characters": len(text)}
    if isinstance(channel, sms.SmsSettings):
        cost.update(encoding=gsm.encoding(text), segments=gsm.segments(text))
    return cost


def _where(session: Session | None) -> dict[str, Any]:
    node = None if session is None or session.choosing_language else session.node
    return {"lang": session.lang if session else None, "node": node}


def text_turn(content: Content, channel: messaging.TextChannel, lang: str | None, state: str | None,
              text: str | None) -> dict[str, Any]:
    """`text` None: first contact in `lang`, as `hotline simulate --lang` starts; a text goes
    through `messaging.answer`, as the webhook's does."""
    answer = simulator.text_turn(content, channel, sessions.decode(state), text, lang)
    session = answer.session
    return {"session": sessions.encode(session) if session else None, **_where(session),
            "stopped": answer.stopped, "replies": [costed(t, channel) for t in answer.texts]}


def voice_turn(content: Content, settings: voice.VoiceSettings, lang: str | None, state: str | None,
               text: str | None) -> dict[str, Any]:
    heard = simulator.call_turn(content, settings, state, text, lang)
    return {"session": heard.state, **_where(heard.session), "prompts": [simulator.shown(p) for p in heard.prompts],
            "listen": {"speech": heard.speech} if heard.state else None}
