"""The web edge's app factory: settings, logs, the content this process serves (checked
before it is served), the line's shared state, and the blueprints (webhooks, health). The
staff pages are added by `hotline.create_app`; this package imports none of them."""
from __future__ import annotations

import functools
import logging
import secrets
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Config, Flask, Response, request

from hotline import config as settings
from hotline.channels import messaging, voice
from hotline.check.version import gate
from hotline.content import Content
from hotline.content.lastgood import LastGood
from hotline.content.live import LiveContent, NoGoodContent
from hotline.content.source import DirectorySource, Source
from hotline.understand import embedding
from hotline.understand.keywords import language_names
from hotline.understand.vocabulary import lexicon
from hotline.web import line, logs, metrics, privacy
from hotline.web.guards import MAX_BODY, MAX_FIELDS
from hotline.web.health import health
from hotline.web.webhooks import on_error, webhooks

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("hotline")
# Of each worker's time, what the sentence-embedding model may take (`embedding.Budget`):
# 30 ms a second, where a busy day's unsure texts need about 6 (README, "Sentence embeddings");
# and only while the worker answers at most CROWD requests at once, the text's own included
# (with 2, a flood still let through enough texts to cost the workers 7% more CPU: 1).
MODEL_SHARE = 0.03
CROWD = 1


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
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
        instance = Path(app.config["INSTANCE"])
        live = LiveContent(source, keep, functools.partial(gate, cfg=app.config),
                           float(app.config["RELOAD_INTERVAL"]), on_swap=_swapped, on_outcome=_outcome,
                           prepare=functools.partial(_prepare, instance=instance),
                           on_start=lambda live: embedding.follow(live, instance))
    except NoGoodContent as exc:
        log.critical("%s", exc)
        raise SystemExit(str(exc)) from None
    answering = Answering(app.wsgi_app)
    app.wsgi_app = answering  # type: ignore[method-assign]
    embedding.limit(MODEL_SHARE, crowded=lambda: answering.count > CROWD)
    line.init_app(app, live, secret.encode())
    app.register_blueprint(webhooks)
    app.register_blueprint(health)
    app.register_error_handler(Exception, on_error)
    if settings.https(app.config):
        app.after_request(_strict_transport)
    else:
        app.after_request(_strict_transport_if_secure)
    return app


class Answering:
    """How many requests this process is answering at once (WSGI middleware: no Flask
    hooks to run per request): the sentence-embedding model is for a worker with time to
    spare, never for one that others are waiting on."""

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.count += 1
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with self._lock:
                self.count -= 1


def _strict_transport(response: Response) -> Response:
    """Browsers that reached the line over HTTPS never try it over plain HTTP again (HSTS):
    every response says so when the line is reached over HTTPS (`settings.https`)."""
    response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _strict_transport_if_secure(response: Response) -> Response:
    """HSTS (above) where this request itself came over HTTPS."""
    return _strict_transport(response) if request.is_secure else response


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


def _prepare(content: Content, instance: Path) -> None:
    """What a worker would build on its first free texts (the understanding's search index of
    every language and its words for telling languages apart: 0.2 s, 8 MB; the names
    residents call each language, from CLDR's English data), built in the master before it
    forks, so no resident waits for it and the workers share one copy (kept in the
    instance folder for the next start on the same content); and the
    sentence-embedding model (mmapped: its pages are shared too) with the pages' vectors
    already kept (computing the others is each worker's job: `embedding.follow`)."""
    lexicon(content).prepare(instance)
    for tag in content.offered:
        language_names(content, tag)
    if embedding.model() is not None:
        embedding.load(content, instance)


def _check_public_url(cfg: Config) -> None:
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


