"""What every staff page shares: the staff blueprint at /staff (its guard, headers and error
page), the sign-in cookie, the throttle, the content store, who is signed in (`g.staff`) and
the CSRF token. The job blueprints (`hotline.staff.register`) nest in the staff blueprint,
so its guard stands before all of them.

Staff sign in with their own account (email and password, and a TOTP code once they turn it
on; `HOTLINE_STAFF_2FA=required` makes that compulsory for admins and publishers) when the
content store is attached (`app.extensions["hotline_store"]`) and has accounts. The cookie
is signed with a key from HOTLINE_SECRET and names the account and its session generation;
every staff request reads the account afresh, so a sign-out, password or role change or a
removal ends that person's sessions at once.

While accounts are being set up, the shared HOTLINE_STAFF_TOKEN keeps working: shown in an
`Authorization: Bearer` header, or once in the sign-in form, which starts a sign-in kept in
Redis (`hl:staff:<hash of its id>`, gone after COOKIE_AGE or at sign-out) and sets a signed,
HttpOnly, SameSite=Strict cookie naming it, keyed by the token (changing the token signs
everyone out). Off (404) with neither a token nor an account; a token shorter than MIN_TOKEN
stops start-up. Wrong tokens, passwords and codes are throttled per client and overall
(`hotline.web.throttle`). Tokens and passwords are compared in constant time and never logged.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import redis
from flask import Blueprint, Flask, Response, abort, current_app, g, redirect, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as ResponseBase

from hotline.config import MIN_TOKEN, clock, https
from hotline.store import rules, signin
from hotline.web.line import line as line  # the staff pages share the webhooks' line
from hotline.web.throttle import Throttle

if TYPE_CHECKING:
    from hotline.store import Store

log = logging.getLogger("hotline")
COOKIE = "hotline_staff"
COOKIE_AGE = 12 * 3600   # seconds: about a working day, then sign in again
SIGNED_IN = "hl:staff:"  # Redis: one key per sign-in, deleted at sign-out
TWO_FACTOR_ROLES = (rules.ADMIN, rules.PUBLISHER)  # who must use TOTP when HOTLINE_STAFF_2FA=required
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
PUBLIC = "staff_public"               # a view's mark: reachable without signing in
BEFORE_SECOND_FACTOR = "staff_before_second_factor"  # a view's mark: reachable while TOTP is still owed
View = TypeVar("View", bound=Callable[..., Any])


def init_app(app: Flask, client: redis.Redis, secret: bytes) -> None:
    """Check the token at start-up; the sign-in throttle, the accounts' cookie key and the
    templates' `csrf_token()`."""
    token = app.config.get("STAFF_TOKEN")
    if token and len(str(token)) < MIN_TOKEN:
        raise RuntimeError(
            f"HOTLINE_STAFF_TOKEN is {len(str(token))} characters; it must be at least {MIN_TOKEN}: it is "
            "the staff pages' password, open to anyone who finds /staff/. Make one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(24))', or unset it to turn the pages off.")
    app.extensions["hotline_staff"] = Throttle(client, secret, now=clock(app.config))
    app.extensions["hotline_staff_key"] = hmac.new(secret, b"hotline staff accounts", hashlib.sha256).hexdigest()
    app.jinja_env.globals["csrf_token"] = csrf_token


def make_blueprint() -> Blueprint:
    """The staff blueprint for one app, guarded; the jobs' blueprints nest in it."""
    staff = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
                      static_folder="static", static_url_path="/static")
    staff.before_request(_guard)
    staff.after_request(_headers)
    staff.register_error_handler(Exception, _failed)
    return staff


def public(view: View) -> View:
    """Mark a view reachable without signing in (the sign-in pages themselves)."""
    setattr(view, PUBLIC, True)
    return view


def before_second_factor(view: View) -> View:
    """Mark a view an account may use while it still owes its second factor."""
    setattr(view, BEFORE_SECOND_FACTOR, True)
    return view


def _marked(mark: str) -> bool:
    return bool(getattr(current_app.view_functions.get(request.endpoint or ""), mark, False))


# What the pages use ------------------------------------------------------------------------

def store() -> Store | None:
    """The content store with the staff accounts, when the app has one."""
    return current_app.extensions.get("hotline_store")


def token() -> str | None:
    """The shared staff token, when set."""
    value = current_app.config.get("STAFF_TOKEN")
    return str(value) if value else None  # the environment may parse a numeric token as JSON


def same(given: str, expected: str) -> bool:
    """Constant-time comparison of what was typed or sent with what is expected."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def throttle() -> Throttle:
    return cast(Throttle, current_app.extensions["hotline_staff"])


def client() -> str:
    """The address the throttle counts by (an HMAC of it, in `Throttle`)."""
    return request.remote_addr or ""


def csrf_token() -> str:
    """The token every staff form and fetch() carries (`csrf_token` field, `X-CSRF-Token`
    header): bound to this browser's sign-in cookie, so another site cannot forge a request."""
    key = current_app.extensions["hotline_staff_key"].encode()
    return hmac.new(key, b"csrf\0" + request.cookies.get(COOKIE, "").encode(), hashlib.sha256).hexdigest()


def two_factor_missing(who: signin.Who) -> bool:
    """This line requires TOTP for this person's role and they have not turned it on."""
    required = str(current_app.config.get("STAFF_2FA") or "").lower() == "required"
    return required and who.role in TWO_FACTOR_ROLES and not who.two_factor


def admin() -> tuple[Store, signin.Who]:
    """The store and the admin signed in; anyone else gets 403."""
    found, who = store(), g.get("staff")
    if found is None or who is None or who.role != rules.ADMIN:
        abort(403)
    return found, who


def too_many(wait: int) -> Response:
    return Response(f"Too many wrong tokens: try again in {-(-wait // 60)} minutes.\n", 429,
                    {"Retry-After": str(wait)}, mimetype="text/plain")


# The sign-in cookie ------------------------------------------------------------------------

def _account_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.extensions["hotline_staff_key"], salt="hotline-staff-account")


def _token_signer(key: str) -> URLSafeTimedSerializer:
    derived = hmac.new(key.encode(), b"hotline staff cookie", hashlib.sha256).hexdigest()
    return URLSafeTimedSerializer(derived, salt="hotline-staff")


def account_by_cookie(found: Store) -> signin.Who | None:
    """The account the cookie names, read now: None once that session was ended."""
    try:
        value = _account_signer().loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_AGE)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    return signin.current(found, value[0], value[1])


def signed_in_as(who: signin.Who, to: str = "staff.looking.index") -> ResponseBase:
    """To the page `to`, with a cookie naming this account's current session."""
    return _with_cookie(redirect(url_for(to)), _account_signer().dumps([who.id, who.generation]))


def signed_in_with_token(key: str) -> ResponseBase:
    """A token sign-in kept in Redis (raises `redis.RedisError` when Redis is away), and to
    the home page with the cookie naming it."""
    sign_in = secrets.token_urlsafe(32)
    line().store.client.set(_sign_in_key(sign_in), "1", ex=COOKIE_AGE)
    return _with_cookie(redirect(url_for("staff.looking.index")), _token_signer(key).dumps(sign_in))


def end_token_sign_in(key: str) -> None:
    """Forget the token sign-in the cookie names (raises `redis.RedisError` when Redis is away)."""
    sign_in = _cookie_sign_in(key)
    if sign_in is not None:
        line().store.client.delete(_sign_in_key(sign_in))


def signed_out(response: ResponseBase) -> ResponseBase:
    response.delete_cookie(COOKIE, path="/staff")
    return response


def _with_cookie(response: ResponseBase, value: str) -> ResponseBase:
    """The sign-in cookie: signed, HttpOnly, SameSite=Strict, /staff only; Secure outside
    development mode, and behind HTTPS."""
    secure = not current_app.config.get("DEV") or request.is_secure or https(current_app.config)
    response.set_cookie(COOKIE, value, max_age=COOKIE_AGE, path="/staff", secure=secure, httponly=True,
                        samesite="Strict")
    return response


def _sign_in_key(sign_in: str) -> str:
    return SIGNED_IN + hashlib.sha256(sign_in.encode()).hexdigest()


def _cookie_sign_in(key: str) -> str | None:
    """The token sign-in the cookie names, if its signature holds and it is not too old."""
    try:
        value = _token_signer(key).loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_AGE)
    except BadSignature:  # also an expired or missing cookie
        return None
    return value if isinstance(value, str) else None


def _signed_in_by_cookie(key: str) -> bool:
    """The cookie names a sign-in Redis still has (sign-out deleted it). Redis away: no."""
    sign_in = _cookie_sign_in(key)
    if sign_in is None:
        return False
    try:
        return bool(line().store.client.exists(_sign_in_key(sign_in)))
    except redis.RedisError:
        log.error("staff sign-in not checked: Redis unavailable (the Bearer header still works)")
        return False


# The guard ---------------------------------------------------------------------------------

def _guard() -> ResponseBase | None:
    """404 with neither a token nor an account; otherwise an account's live session, the token
    (throttled) or a live token sign-in, or no entry."""
    key, found = token(), store()
    if key is None and not (found is not None and signin.any_accounts(found)):
        abort(404)
    if request.endpoint == "staff.static" or _marked(PUBLIC):
        return None
    g.staff = account_by_cookie(found) if found is not None else None
    if g.staff is not None:
        if not _csrf_ok():
            return _forged()
        if two_factor_missing(g.staff) and not _marked(BEFORE_SECOND_FACTOR):
            return redirect(url_for("staff.signing.account"))
        return None
    header = request.headers.get("Authorization", "")
    if key is not None and header[:7].lower() == "bearer ":
        verdict = throttle().compare(client(), header[7:].strip(), key)
        if verdict.wait:
            return too_many(verdict.wait)
        if verdict.right:
            return None
        log.warning("staff token refused")
    elif key is not None and _signed_in_by_cookie(key):
        return None if _csrf_ok() else _forged()
    if request.method == "GET" and request.accept_mimetypes.accept_html:
        return redirect(url_for("staff.signing.login"))
    return Response("Sign in: send Authorization: Bearer <HOTLINE_STAFF_TOKEN>, or use /staff/login\n",
                    401, {"WWW-Authenticate": 'Bearer realm="hotline staff"'}, mimetype="text/plain")


def _csrf_ok() -> bool:
    """A request signed by the cookie changes nothing unless it carries this sign-in's CSRF
    token: another site can make a browser send the cookie, never read the token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    return same(given, csrf_token())


def _forged() -> Response:
    log.warning("staff request refused: no CSRF token")
    return Response("This form has expired or came from another site: reload the page and try again.\n", 403,
                    mimetype="text/plain")


def _headers(response: Response) -> Response:
    """Nothing from elsewhere runs here, nothing frames it, and no cache keeps it."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _failed(exc: Exception) -> Response | HTTPException:
    """Staff get a plain error, not the TwiML apology the app gives Twilio."""
    if isinstance(exc, HTTPException):
        return exc
    log.exception("staff page %s failed", request.path)
    return Response("Something went wrong on the staff page; the server log says what.\n", 500,
                    mimetype="text/plain")
