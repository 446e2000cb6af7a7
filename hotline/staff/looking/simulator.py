"""Try the line: the simulator runs the channel functions the webhooks run
(`messaging.answer` for SMS and WhatsApp, `voice.turn` for a call) and keeps the conversation
in the page: an opaque session goes to the browser and back. Nothing is written to Redis and
nothing is counted."""
from __future__ import annotations

from typing import Any

from hotline import sessions
from hotline.channels import gsm, messaging, sms, voice
from hotline.content import Content
from hotline.engine import Session, Start, step

MAX_INPUT = 1600         # characters: the most Twilio delivers of one text
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
    session: Session | None
    if text is None:
        session, reply = step(content.flow, None, Start(lang))
        texts, stopped = tuple(messaging.render(content, reply, channel)[:1]), False
    else:
        answer = messaging.answer(content, sessions.decode(state), text, channel)
        session, texts, stopped = answer.session, answer.texts, answer.stopped
    return {"session": sessions.encode(session) if session else None, **_where(session),
            "stopped": stopped, "replies": [costed(t, channel) for t in texts]}


def voice_turn(content: Content, settings: voice.VoiceSettings, lang: str | None, state: str | None,
               text: str | None) -> dict[str, Any]:
    heard = voice.turn(content, settings, lang, state, text)
    session = voice.decode(content, settings, heard.state)
    return {"session": heard.state, **_where(session), "prompts": heard.prompts,
            "listen": {"speech": heard.speech} if heard.state else None}
