"""What every request of the line shares (`Line`: the content served, the session store, the
channels' settings), built once by `init_app` as Flask's tutorial builds its database."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from flask import Flask, current_app

from hotline import config
from hotline.channels import messaging, sms, voice, whatsapp
from hotline.content import Content
from hotline.content.live import LiveContent
from hotline.storage.connection import connect
from hotline.storage.sessions import Limits, SessionStore
from hotline.web.throttle import Throttle

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


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
        now = config.clock(cfg)
        self.store = SessionStore(client, secret, int(cfg["SESSION_TTL"]), limits, float(cfg["REDIS_RETRY_AFTER"]),
                                  now)
        self.metrics_throttle = Throttle(client, secret, "metrics", now=now)

    @property
    def content(self) -> Content:
        return self.live.current

    def texting(self, sender: str) -> tuple[messaging.TextChannel, str]:
        """The channel a message came by (the `From` prefix says) and its sender without it."""
        number = whatsapp.address(sender)
        return (self.sms, sender) if number is None else (self.whatsapp, number)


def line() -> Line:
    """What every request shares, webhooks and staff pages alike: the content served, the
    channels, Redis."""
    return cast(Line, current_app.extensions["hotline"])


def init_app(app: Flask, live: LiveContent, secret: bytes) -> None:
    """The line for this app; each process starts its loader thread on its first request,
    if gunicorn's post_fork has not started it."""
    app.extensions["hotline"] = Line(app, live, secret)
    app.wsgi_app = _LoaderStarted(app.wsgi_app, live)  # type: ignore[method-assign]


class _LoaderStarted:
    """WSGI middleware that starts the process's loader thread before a request (a Flask
    hook would cost every request more)."""

    def __init__(self, wsgi_app: WSGIApplication, live: LiveContent) -> None:
        self.wsgi_app = wsgi_app
        self.live = live

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.live.start()
        return self.wsgi_app(environ, start_response)
