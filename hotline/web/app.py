"""The web edge: app factory, Twilio webhooks, signature check, and error handlers that
always answer valid TwiML (a 5xx makes Twilio tell a frightened caller "an application
error has occurred")."""
from __future__ import annotations

import functools
import hmac
import logging
import secrets
import time
import traceback
from io import BytesIO
from pathlib import Path
from collections.abc import Callable

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request
from twilio.request_validator import (
    SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, RequestValidator, get_signature_algorithm,
)
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from hotline import config as settings
from hotline import embedded
from hotline.web import logs
from hotline.web import metrics
from hotline.web import privacy
from hotline.web.throttle import Throttle
from hotline.channels import keywords, messaging, sms, voice, whatsapp
from hotline.check.version import gate
from hotline.content import Content
from hotline.content.lastgood import LastGood
from hotline.content.live import LiveContent, NoGoodContent
from hotline.content.source import DirectorySource, Source
from hotline.engine import Session
from hotline.phrases import FALLBACK_SMS, FALLBACK_VOICE, SLOW_DOWN
from hotline.sessions import Limits, SessionStore, connect

log = logging.getLogger("hotline")
webhooks = Blueprint("webhooks", __name__)
# What Twilio posts is small: about 20 fields (45 for WhatsApp with ten media), and a Body of
# at most 1,600 characters, 19 KB when every one is a percent-encoded emoji. Three times that:
MAX_BODY = 64 * 1024
MAX_FIELDS = 200
BODY_SECONDS = 5.0  # Twilio sends its body at once; a client silent this long is cut off
SIGNED = ("webhooks.incoming_sms", "webhooks.incoming_call")


class Line:
    """What every request shares: the content (swapped whole by the loader thread), the
    session store and the channels' settings. Built at start-up, so a bad REDIS_URL stops the
    app there instead of failing residents one by one."""

    def __init__(self, app: Flask, live: LiveContent, secret: bytes) -> None:
        cfg = app.config
        self.live = live
        self.secret = secret
        self.sms = sms.SmsSettings.from_config(cfg)
        self.whatsapp = whatsapp.WhatsAppSettings.from_config(cfg)
        self.voice = voice.VoiceSettings.from_config(cfg)
        client = connect(cfg["REDIS_URL"], Path(cfg["INSTANCE"]), float(cfg["REDIS_TIMEOUT"]))
        limits = Limits(int(cfg["RATE_PER_MINUTE"]), int(cfg["RATE_PER_HOUR"]), int(cfg["RATE_GLOBAL_PER_MINUTE"]))
        self.store = SessionStore(client, secret, int(cfg["SESSION_TTL"]), limits, float(cfg["REDIS_RETRY_AFTER"]))
        self.metrics_throttle = Throttle(client, secret, "metrics")

    @property
    def content(self) -> Content:
        return self.live.current

    def texting(self, sender: str) -> tuple[messaging.TextChannel, str]:
        """The channel a message came by (the `From` prefix says) and its sender without it."""
        number = whatsapp.address(sender)
        return (self.sms, sender) if number is None else (self.whatsapp, number)


def line() -> Line:
    return current_app.extensions["hotline"]


def create_app(config: dict | None = None) -> Flask:
    """The line without the staff pages (`hotline.create_app` adds them). The content comes
    from `CONTENT_SOURCE` when given (a `hotline.content.source.Source`), else from the
    FLOWS and TRANSLATIONS folders."""
    app = Flask("hotline", static_folder=None)
    app.config.update(settings.read(config))
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY, MAX_FORM_PARTS=MAX_FIELDS, MAX_FORM_MEMORY_SIZE=MAX_BODY)
    logs.configure()
    privacy.install()
    settings.check(app.config)
    _check_public_url(app.config)
    secret = app.config["SECRET"]
    if not secret:
        if not app.config["DEV"]:
            raise RuntimeError("HOTLINE_SECRET is not set: it keys the caller hash. "
                               "Set it (a long random string), or run in development mode (HOTLINE_DEV=1).")
        secret = secrets.token_hex(32)  # dev only: lives and dies with this process
    if app.config["SMS_SHORT_CODE"] and not (app.config["ORG_NAME"] and app.config["ORG_CONTACT"]):
        raise RuntimeError("HOTLINE_SMS_SHORT_CODE is on but HOTLINE_ORG_NAME or HOTLINE_ORG_CONTACT is not set: "
                           "on a short code the line answers HELP and STOP itself, and carriers require them "
                           "to name who runs it and how to reach them.")
    if app.config["DEV"]:
        log.warning("DEVELOPMENT MODE: webhooks are accepted without a Twilio signature. "
                    "Never run a public number like this.")
    source: Source = app.config.get("CONTENT_SOURCE") or DirectorySource(
        Path(app.config["FLOWS"]), Path(app.config["TRANSLATIONS"]))
    keep = LastGood(Path(app.config["INSTANCE"]) / "content" / getattr(source, "name", "published"))
    try:
        live = LiveContent(source, keep, functools.partial(gate, cfg=app.config),
                           float(app.config["RELOAD_INTERVAL"]), on_swap=_swapped, on_outcome=_outcome)
    except NoGoodContent as exc:
        log.critical("%s", exc)
        raise SystemExit(str(exc)) from None
    app.extensions["hotline"] = Line(app, live, secret.encode())
    app.register_blueprint(webhooks)
    app.register_error_handler(Exception, _on_error)
    return app


def _outcome(outcome: str | None, refused: bool) -> None:
    """What became of a version this process looked at (accepted, refused by the check, or
    not kept: tried again), and whether it now serves an older one than its source's, for /metrics."""
    if outcome:
        metrics.RELOADS.labels(outcome).inc()
    metrics.CONTENT_REFUSED.set(1 if refused else 0)


def _swapped(content: Content) -> None:
    """A new version is served: its figures for /metrics, and replies rendered from the one
    it replaced are not needed again."""
    metrics.content(tuple(content.locales), content.offered, content.fallback())
    messaging.forget_rendered()
    voice.forget_rendered()


def _check_public_url(cfg) -> None:
    """A signature is only as good as the URL it is checked against: outside development
    mode that URL comes from the settings, never from the client's Host header alone."""
    hosts = cfg.get("ACCEPTED_HOSTS")
    if isinstance(hosts, str):
        hosts = [h.strip() for h in hosts.split(",") if h.strip()]
    if hosts:
        cfg["TRUSTED_HOSTS"] = list(hosts)  # Flask refuses any other Host with 400
    if not (cfg["PUBLIC_URL"] or hosts or cfg["DEV"]):
        raise RuntimeError(
            "HOTLINE_PUBLIC_URL is not set: set it to the base URL Twilio calls, exactly as entered "
            "in the Twilio Console (e.g. https://line.example.org), or list the host names Twilio may "
            "call in HOTLINE_ACCEPTED_HOSTS. Without either, a request signed for another deployment "
            "on the same Twilio account would pass the signature check.")


def public_url() -> str:
    """The URL Twilio called: HOTLINE_PUBLIC_URL with this request's path and query; else
    (HOTLINE_ACCEPTED_HOSTS, or development mode) the request's own URL, its host one of
    the accepted ones (Flask's TRUSTED_HOSTS checked it)."""
    base = current_app.config["PUBLIC_URL"]
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def _secrets_for(settings_header: str | None) -> list[str]:
    """Which secrets may have signed this request: the Auth Token, or, when Twilio's
    signature settings header is present (webhook signing keys), the SharedKey secrets
    (several while a key is being rotated)."""
    cfg = current_app.config
    if settings_header is None:
        return [cfg["TWILIO_AUTH_TOKEN"]] if cfg["TWILIO_AUTH_TOKEN"] else []
    keys = [k.strip() for k in str(cfg["TWILIO_SHARED_KEY_SECRET"] or "").split(",") if k.strip()]
    if not keys:
        log.error("a webhook is signed with a Twilio SharedKey (%s) but TWILIO_SHARED_KEY_SECRET is not set: "
                  "answered 403", SIGNATURE_SETTINGS_HEADER)
    return keys


def valid_signature(token: str, url: str, form, signature: str, settings_header: str | None = None) -> bool:
    """Twilio's check, with the algorithm Twilio names (HMAC-SHA1 unless its signature
    settings header says otherwise). The URL as called is tried first: `validate` always
    computes two HMACs (with and without the port), the second rarely needed."""
    validator = RequestValidator(token)
    algorithm = get_signature_algorithm(settings_header)
    try:
        computed = validator.compute_signature(url, form, algorithm).encode()
        if hmac.compare_digest(computed, signature.encode("utf-8", "surrogateescape")):
            return True
    except ValueError:  # an algorithm this library does not know
        return False
    return validator.validate(url, form, signature, algorithm)


def _signatures_checked() -> bool:
    cfg = current_app.config
    return bool(cfg["TWILIO_AUTH_TOKEN"] or cfg["TWILIO_SHARED_KEY_SECRET"]) or not cfg["DEV"]


@webhooks.before_request
def _guard_body() -> None:
    """Before any form is parsed: a webhook without a signature header gets 403 without
    its body being read; any other body is read now, within BODY_SECONDS and MAX_BODY,
    and a malformed one (a broken chunked transfer, a cut-off body) gets 400."""
    if request.method != "POST":
        return
    if request.endpoint in SIGNED and _signatures_checked() and SIGNATURE_HEADER not in request.headers:
        abort(403)
    _read_body()


def _read_body() -> None:
    """The body, read by this server's rules and handed to Flask as plain bytes: at most
    MAX_BODY bytes (413), MAX_FIELDS form fields (413), each wait for the client at most
    BODY_SECONDS (408)."""
    environ = request.environ
    length = environ.get("CONTENT_LENGTH") or ""
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked and not length.strip():
        return
    if not chunked and (not length.isdigit() or int(length) > MAX_BODY):
        abort(413 if length.isdigit() else 400)
    sock = environ.get("gunicorn.socket")
    if sock is not None:  # gthread resets it for the connection's next request
        sock.settimeout(BODY_SECONDS)
    # Never past Content-Length: a server that hands over the raw socket (Werkzeug's, for
    # `hotline serve`) would wait there for the client to hang up.
    limit = MAX_BODY + 1 if chunked else int(length)
    stream, parts, size = environ["wsgi.input"], [], 0
    try:
        while size < limit and (chunk := stream.read(min(16384, limit - size))):
            parts.append(chunk)
            size += len(chunk)
    except TimeoutError:
        abort(408)
    except Exception:  # noqa: BLE001 - gunicorn's chunk errors, a client gone: the request is broken
        abort(400)
    if not chunked and size < limit:  # the client stopped before the length it announced
        abort(400)
    body = b"".join(parts)
    if size > MAX_BODY or body.count(b"&") >= MAX_FIELDS:
        abort(413)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.update({"wsgi.input": BytesIO(body), "CONTENT_LENGTH": str(size), "wsgi.input_terminated": False})


def signed(view: Callable) -> Callable:
    """Only Twilio may call: a missing or wrong X-Twilio-Signature gets 403."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if _signatures_checked():
            headers = request.headers
            settings_header = headers.get(SIGNATURE_SETTINGS_HEADER)
            url, signature = public_url(), headers.get(SIGNATURE_HEADER, "")
            if not any(valid_signature(secret, url, request.form, signature, settings_header)
                       for secret in _secrets_for(settings_header)):
                abort(403)
        return view(*args, **kwargs)
    return wrapper


def twiml(body: str) -> Response:
    return Response(body, status=200, mimetype="text/xml")


@webhooks.post("/sms")
@signed
def incoming_sms() -> Response:
    """A text, by SMS or WhatsApp: Twilio posts both here. Only `Body`, `OptOutType` and
    `NumMedia` (whether a photo or voice note came) are read besides `From`, which is hashed
    with its channel and never kept."""
    current = line()
    content = current.content
    channel, sender = current.texting(request.form.get("From", "").strip())
    g.channel = channel.name  # the metrics count WhatsApp apart
    body = request.form.get("Body", "")
    opt_out_type = request.form.get("OptOutType", "")
    media = request.form.get("NumMedia", "0").strip() not in ("", "0")  # a photo or voice note: never read

    def handle(session: Session | None) -> tuple[Session | None, messaging.TextAnswer]:
        answer = messaging.answer(content, session, body, channel, opt_out_type, media)
        return answer.session, answer

    if not sender:  # nothing to key a session on: answer as to a first text
        return twiml(messaging.twiml(handle(None)[1].texts))
    # An opt-out is never rate limited: carriers require it to work, always.
    outcome = current.store.converse(channel.name, sender, handle,
                                     exempt=keywords.opts_out(content, body, opt_out_type))
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
    current = line()
    content = current.content
    answer = voice.respond(content, current.voice, action, request.args, request.form)
    before = voice.decode(content, current.voice, request.args.get("s")) if action else None
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


@webhooks.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """`ok` only while Redis takes a write: a full Redis that still answers pings loses every
    session. The line still answers while degraded (without sessions), so the status is 200.
    `content` says which version this process serves and, when the newest one is not served
    (it fails the check, or cannot be kept yet), which and why: the line answers from its last
    good version meanwhile, so that alone leaves the status as it is. A metrics folder that
    cannot be written is 503 (`failing`): a platform restarts the instance.
    `sessions_lost_at`: when the embedded Redis was last started again, empty."""
    current = line()
    status = "ok" if current.store.writable() else "degraded"
    live = current.live
    served: dict[str, object] = {"serving": live.digest}
    if live.refused:
        served.update(refused=live.refused.version, why=live.refused.why,
                      retried=live.refused.retried)
    figures = metrics.writable()
    body = jsonify(status=status if figures else "failing", redis=status == "ok", metrics=figures,
                   sessions_lost_at=embedded.restarted(current.store.client),
                   flow=current.content.flow.version, version=live.digest, content=served,
                   languages=list(current.content.offered), fallback=current.content.fallback())
    return body if figures else (body, 503)


@webhooks.get("/metrics")
def metrics_page() -> Response:
    """Prometheus text format, for the bearer of HOTLINE_METRICS_TOKEN; unset, there is none."""
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    verdict = line().metrics_throttle.compare(request.remote_addr or "", given, str(token))
    if verdict.wait:
        return Response("Too many wrong tokens.\n", 429, {"Retry-After": str(verdict.wait)}, mimetype="text/plain")
    if not verdict.right:
        abort(401)
    body, mimetype = metrics.render()
    return Response(body, status=200, headers={"Content-Type": mimetype})


CHANNELS = {"/sms": sms.CHANNEL, "/voice": voice.CHANNEL, "/fallback": "fallback"}


def _channel() -> str | None:
    """The channel a webhook belongs to (`/voice/step` is voice, `/sms` SMS or WhatsApp as
    the view found); None for the rest."""
    return g.get("channel") or CHANNELS.get(request.path) or (voice.CHANNEL if request.path.startswith("/voice/") else None)


@webhooks.before_app_request
def _started() -> None:
    g.started = time.perf_counter()
    line().live.start()  # this process's loader thread, if gunicorn's post_fork has not started it


@webhooks.after_app_request
def _https_only(response: Response) -> Response:
    """Browsers that reached the line over HTTPS never try it over plain HTTP again (HSTS)."""
    if request.is_secure or settings.https(current_app.config):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


@webhooks.after_app_request
def _measured(response: Response) -> Response:
    """Requests by channel and outcome, and how long they took: counts, never contents."""
    channel = _channel()
    if channel is not None:
        outcome = g.get("outcome") or ("answered" if response.status_code == 200 else str(response.status_code))
        metrics.REQUESTS.labels(channel, outcome).inc()
        metrics.LATENCY.labels(channel).observe(time.perf_counter() - g.get("started", time.perf_counter()))
    return response


def _in_first_languages(content: Content, phrase) -> list[tuple[str, str]]:
    """A phrase in the first two offered languages (English and Spanish), for answers given
    without reading the caller's session, so without knowing their language."""
    return [(tag, content.texts_for(tag).phrase(phrase)) for tag in content.offered[:2]]


def _text_in_first_languages(content: Content, phrase, channel: messaging.TextChannel) -> str:
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


def _on_error(exc: Exception) -> Response | HTTPException | tuple[Response, int]:
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
