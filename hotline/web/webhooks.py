"""The webhooks Twilio calls (/sms for SMS and WhatsApp, /voice, /fallback), their
measures for /metrics, and the answers that need nothing else to work: the apologies with
911, and the error handler that always answers valid TwiML (a 5xx makes Twilio tell a
frightened caller "an application error has occurred")."""
from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path

from flask import Blueprint, Response, g, jsonify, request
from flask.blueprints import BlueprintSetupState
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline.channels import keywords, messaging, sms, voice
from hotline.content import Content
from hotline.engine import Session
from hotline.languages.phrases import FALLBACK_SMS, FALLBACK_VOICE, SLOW_DOWN, Phrase
from hotline.web import metrics
from hotline.web.guards import guard_body, signed
from hotline.web.line import line

log = logging.getLogger("hotline")
webhooks = Blueprint("webhooks", __name__)
webhooks.before_request(guard_body)


def twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")


@webhooks.post("/sms")
@signed
def incoming_sms() -> Response:
    """A text, by SMS or WhatsApp: Twilio posts both here. Only `Body`, `OptOutType` and
    `NumMedia` (whether a photo or voice note came) are read besides `From`, which is hashed
    with its channel and never kept."""
    current, form = line(), request.form
    content = current.content
    channel, sender = current.texting(form.get("From", "").strip())
    g.channel = channel.name  # the metrics count WhatsApp apart
    body = form.get("Body", "")
    opt_out_type = form.get("OptOutType", "")
    media = form.get("NumMedia", "0").strip() not in ("", "0")  # a photo or voice note: never read

    def handle(session: Session | None) -> tuple[Session | None, messaging.TextAnswer]:
        answer = messaging.answer(content, session, body, channel, opt_out_type, media)
        return answer.session, answer

    if not sender:  # nothing to key a session on: answer as to a first text
        return twiml(messaging.twiml(handle(None)[1].texts))
    # An opt-out is never rate limited: carriers require it to work, always.
    outcome = current.store.converse(channel.name, sender, handle,
                                     exempt=lambda: keywords.opts_out(content, body, opt_out_type))
    if not outcome.kept:
        metrics.WITHOUT_SESSION.labels(channel.name).inc()
    if outcome.busy:
        g.outcome = "busy"
        return twiml(text_apology(content, channel))
    if outcome.result is None:
        g.outcome = "limited"
        notice = (_text_in_first_languages(content, SLOW_DOWN, channel),) if outcome.notice else ()
        return twiml(messaging.twiml(notice))
    return twiml(messaging.twiml(outcome.result.texts))


@webhooks.post("/voice")
@webhooks.post("/voice/<any(step, dialed):action>")
@signed
def incoming_call(action: str = "") -> Response:
    """A call: the call's state travels in the URL (voice.py); Redis only gets the step for
    the staff counts, and a call goes on without it."""
    current, args = line(), request.args
    content = current.content
    answer = voice.respond(content, current.voice, action, args, request.form)
    before = voice.decode(content, current.voice, args.get("s")) if action else None
    after = answer.state
    try:
        current.store.count(voice.CHANNEL, before.session if before else None, after.session if after else None)
    except Exception as exc:  # noqa: BLE001 - counting must never cost a caller their call
        log.error("voice step not counted: %s", type(exc).__name__)
    return twiml(answer.twiml)


@webhooks.post("/fallback")
def fallback() -> Response:
    """Twilio's Fallback URL: a safe answer that needs nothing else to work."""
    if request.form.get("CallSid"):
        return twiml(voice_apology(line().content))
    return twiml(text_apology(line().content, line().sms))


CHANNELS = {"/sms": sms.CHANNEL, "/voice": voice.CHANNEL, "/fallback": "fallback"}


def _channel() -> str | None:
    """The channel a webhook belongs to (`/voice/step` is voice, `/sms` SMS or WhatsApp as
    the view found); None for the rest."""
    return g.get("channel") or CHANNELS.get(request.path) or (voice.CHANNEL if request.path.startswith("/voice/") else None)


@webhooks.record_once
def _measure_when_read(state: BlueprintSetupState) -> None:
    """Requests are timed and counted only when /metrics can be read (HOTLINE_METRICS_TOKEN
    set): otherwise no one could see the figures, and every webhook would pay for them."""
    if state.app.config["METRICS_TOKEN"]:
        state.app.before_request(_started)
        state.app.after_request(_measured)


def _started() -> None:
    g.started = time.perf_counter()


def _measured(response: Response) -> Response:
    """Requests by channel and outcome, and how long they took: counts, never contents."""
    channel = _channel()
    if channel is not None:
        outcome = g.get("outcome") or ("answered" if response.status_code == 200 else str(response.status_code))
        metrics.REQUESTS.labels(channel, outcome).inc()
        metrics.LATENCY.labels(channel).observe(time.perf_counter() - g.get("started", time.perf_counter()))
    return response


def _in_first_languages(content: Content, phrase: Phrase) -> list[tuple[str, str]]:
    """A phrase in the first two offered languages (English and Spanish), for answers given
    without reading the caller's session, so without knowing their language."""
    return [(tag, content.texts_for(tag).phrase(phrase)) for tag in content.offered[:2]]


def _text_in_first_languages(content: Content, phrase: Phrase, channel: messaging.TextChannel) -> str:
    parts = _in_first_languages(content, phrase)
    return channel.finish("\n\n".join(text for _tag, text in parts),
                          all(content.locales[tag].folds for tag, _ in parts))


def text_apology(content: Content, channel: messaging.TextChannel) -> str:
    """The apology with 911, in English and Spanish, as TwiML: /fallback's answer, and what
    `hotline fallback` prints for a TwiML Bin; also the busy text over the line-wide limit."""
    return messaging.twiml((_text_in_first_languages(content, FALLBACK_SMS, channel),))


def voice_apology(content: Content) -> str:
    """The spoken apology with 911, in English and Spanish, then hang up, as TwiML."""
    response = VoiceResponse()
    for tag, text in _in_first_languages(content, FALLBACK_VOICE):
        locale = content.locales[tag]
        response.say(text, language=locale.say_language, voice=locale.voice)
    response.hangup()
    return str(response)


def on_error(exc: Exception) -> Response | HTTPException | tuple[Response, int]:
    """HTTP errors (403, 404, 405, 413) stay what they are; anything else answers TwiML."""
    if isinstance(exc, HTTPException):
        return exc
    if request.path == "/healthz":  # the platform must see that the line cannot answer
        return jsonify(status="error", error=type(exc).__name__), 503
    # Where it failed, never its message: an exception's text can quote what a caller sent.
    frames = traceback.extract_tb(exc.__traceback__)
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-6:]))
    log.error("unexpected %s on %s at %s", type(exc).__name__, request.path, where)
    g.outcome = "error"
    if request.path.startswith("/voice"):
        return twiml(voice_apology(line().content))
    return twiml(text_apology(line().content, line().sms))
