"""The webhooks' guards: the body read by this server's rules before any form is parsed
(size, fields, time), and Twilio's signature checked against the URL Twilio called."""
from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Callable, Mapping
from io import BytesIO
from typing import ParamSpec, TypeVar, cast
from urllib.parse import parse_qsl

from flask import Config, Request, abort, current_app, request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from werkzeug.datastructures import ImmutableMultiDict

log = logging.getLogger("hotline")
P = ParamSpec("P")
R = TypeVar("R")
# What Twilio posts is small: about 20 fields (45 for WhatsApp with ten media), and a Body of
# at most 1,600 characters, 19 KB when every one is a percent-encoded emoji. Three times that:
MAX_BODY = 64 * 1024
MAX_FIELDS = 200
BODY_SECONDS = 5.0  # Twilio sends its body at once; a client silent this long is cut off
SIGNED = "twilio_signed"  # a view's mark: only Twilio may call it
FORM_TYPE = "application/x-www-form-urlencoded"


def public_url(req: Request, cfg: Config) -> str:
    """The URL Twilio called: HOTLINE_PUBLIC_URL with this request's path and query; else
    (HOTLINE_ACCEPTED_HOSTS, or development mode) the request's own URL, its host one of
    the accepted ones (Flask's TRUSTED_HOSTS checked it)."""
    base: str | None = cfg["PUBLIC_URL"]
    if not base:
        return req.url
    query = req.query_string.decode("latin-1")
    return base.rstrip("/") + req.path + (f"?{query}" if query else "")


def _secrets_for(settings_header: str | None, cfg: Config) -> list[str]:
    """Which secrets may have signed this request: the Auth Token, or, when Twilio's
    signature settings header is present (webhook signing keys), the SharedKey secrets
    (several while a key is being rotated)."""
    if settings_header is None:
        return [cfg["TWILIO_AUTH_TOKEN"]] if cfg["TWILIO_AUTH_TOKEN"] else []
    keys = [k.strip() for k in str(cfg["TWILIO_SHARED_KEY_SECRET"] or "").split(",") if k.strip()]
    if not keys:
        log.error("a webhook is signed with a Twilio SharedKey (%s) but TWILIO_SHARED_KEY_SECRET is not set: "
                  "answered 403", SIGNATURE_SETTINGS_HEADER)
    return keys


class Form(ImmutableMultiDict[str, str]):
    """A webhook's form as Werkzeug reads a urlencoded body (the same fields, the same
    errors), and as Twilio's validator reads it first (`getall`: handed Werkzeug's own
    MultiDict, it fails over to `getlist` through an exception per field)."""

    def getall(self, name: str) -> list[str]:
        return self.getlist(name)


def valid_signature(token: str, url: str, form: Mapping[str, str], signature: str,
                    settings_header: str | None = None) -> bool:
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
    return bool(validator.validate(url, form, signature, algorithm))


def _signatures_checked(cfg: Config) -> bool:
    return bool(cfg["TWILIO_AUTH_TOKEN"] or cfg["TWILIO_SHARED_KEY_SECRET"]) or not cfg["DEV"]


def guard_body() -> None:
    """Before any form is parsed: a webhook without a signature header gets 403 without
    its body being read; any other body is read now, within BODY_SECONDS and MAX_BODY,
    and a malformed one (a broken chunked transfer, a cut-off body) gets 400."""
    req = _current_request()
    if req.method != "POST":
        return
    app = current_app
    view = app.view_functions.get(req.endpoint or "")
    if getattr(view, SIGNED, False) and _signatures_checked(app.config) and SIGNATURE_HEADER not in req.headers:
        abort(403)
    _read_body(req)


def _current_request() -> Request:
    """The request itself, not Flask's proxy to it: each use of the proxy looks the request
    up again (a webhook used it some twenty times)."""
    return cast(Request, request._get_current_object())  # type: ignore[attr-defined]


def _read_body(req: Request) -> None:
    """The body, read by this server's rules and handed to Flask as plain bytes: at most
    MAX_BODY bytes (413), MAX_FIELDS form fields (413), each wait for the client at most
    BODY_SECONDS (408)."""
    environ = req.environ
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
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() == FORM_TYPE:
        _take_form(req, body)


def _take_form(req: Request, body: bytes) -> None:
    """`request.form`, read from the body at hand in one step: Werkzeug's parser, made for
    uploads as well, takes a tenth of a webhook's CPU for Twilio's two dozen fields."""
    try:
        fields = parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote")
    except ValueError:  # not UTF-8: left to Werkzeug, which reads no fields then
        return
    # Where Werkzeug's own `_load_form_data` puts them, past its cached properties.
    req.__dict__.update(form=Form(fields), files=ImmutableMultiDict())


def signed(view: Callable[P, R]) -> Callable[P, R]:
    """Only Twilio may call: a missing or wrong X-Twilio-Signature gets 403."""
    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        cfg = current_app.config
        if _signatures_checked(cfg):
            req = _current_request()
            headers = req.headers
            settings_header = headers.get(SIGNATURE_SETTINGS_HEADER)
            url, signature = public_url(req, cfg), headers.get(SIGNATURE_HEADER, "")
            form = req.form
            if not any(valid_signature(secret, url, form, signature, settings_header)
                       for secret in _secrets_for(settings_header, cfg)):
                abort(403)
        return view(*args, **kwargs)
    setattr(wrapper, SIGNED, True)
    return wrapper


