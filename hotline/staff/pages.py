"""The staff pages under /staff/: try the line as a resident (SMS or a call, any language),
one node in every language side by side, the flow as a picture, the counts, and
`hotline check`'s report.

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
(`hotline.throttle`). Tokens and passwords are compared in constant time and never logged.

The simulator runs the channel functions the webhooks run (`messaging.answer` for SMS and
WhatsApp, `voice.start`, `voice.answer`, `voice.dialed`) and keeps the conversation in the
page: an opaque session goes to the browser and back. Nothing is written to Redis and
nothing is counted.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis
from flask import (
    Blueprint, Flask, Response, abort, current_app, g, jsonify, redirect, render_template, request, url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as ResponseBase

from hotline import sessions, stats
from hotline import simulate as simulator
from hotline import config as settings
from hotline.check.rules import WARNING
from hotline.check.version import run as run_check
from hotline.config import MIN_TOKEN
from hotline.staff import graph
from hotline.staff import preview
from hotline.channels import MAX_MESSAGE, NAMES, gsm, messaging, sms, voice
from hotline.channels.render import paragraphs, title
from hotline.content import Content
from hotline.engine import Reply, Session
from hotline.flow.model import Flow, FlowError
from hotline.i18n import OLDER, REASONS, Served
from hotline.web.throttle import Throttle
from hotline.store import Refused, accounts as passwords, audit, rules, signin

if TYPE_CHECKING:
    from hotline.store import Store
    from hotline.web.app import Line

log = logging.getLogger("hotline")
blueprint = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates",
                      static_folder="static", static_url_path="/static")
COOKIE = "hotline_staff"
COOKIE_AGE = 12 * 3600   # seconds: about a working day, then sign in again
SIGNED_IN = "hl:staff:"  # Redis: one key per sign-in, deleted at sign-out
OPEN = ("staff.login", "staff.static", "staff.welcome")  # reachable without signing in (only while enabled)
TWO_FACTOR_ROLES = (rules.ADMIN, rules.PUBLISHER)  # who must use TOTP when HOTLINE_STAFF_2FA=required

MAX_INPUT = MAX_MESSAGE  # characters: the most Twilio delivers of one text
MAX_STATE = 2000         # characters of a simulated session: the simulator's caches stay small
DAYS = 14                # the counts shown
BAR = 260                # pixels of the longest bar in the counts chart (360 wide)
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _line() -> Line:
    return current_app.extensions["hotline"]  # not web.line(): web imports this module


# Who may look --------------------------------------------------------------------------

def init(app: Flask, client: redis.Redis, secret: bytes) -> None:
    """Check the token at start-up and set up the sign-in throttle."""
    token = app.config.get("STAFF_TOKEN")
    if token and len(str(token)) < MIN_TOKEN:
        raise RuntimeError(
            f"HOTLINE_STAFF_TOKEN is {len(str(token))} characters; it must be at least {MIN_TOKEN}: it is "
            "the staff pages' password, open to anyone who finds /staff/. Make one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(24))', or unset it to turn the pages off.")
    app.extensions["hotline_staff"] = Throttle(client, secret)
    app.extensions["hotline_staff_key"] = hmac.new(secret, b"hotline staff accounts", hashlib.sha256).hexdigest()
    app.jinja_env.globals["csrf_token"] = csrf_token


def csrf_token() -> str:
    """The token every staff form and fetch() carries (`csrf_token` field, `X-CSRF-Token`
    header): bound to this browser's sign-in cookie, so another site cannot forge a request."""
    key = current_app.extensions["hotline_staff_key"].encode()
    return hmac.new(key, b"csrf\0" + request.cookies.get(COOKIE, "").encode(), hashlib.sha256).hexdigest()


def _token() -> str | None:
    value = current_app.config.get("STAFF_TOKEN")
    return str(value) if value else None  # the environment may parse a numeric token as JSON


def _signer(token: str) -> URLSafeTimedSerializer:
    key = hmac.new(token.encode(), b"hotline staff cookie", hashlib.sha256).hexdigest()
    return URLSafeTimedSerializer(key, salt="hotline-staff")


def _store() -> Store | None:
    """The content store with the staff accounts, when the app has one."""
    return current_app.extensions.get("hotline_store")


def _account_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.extensions["hotline_staff_key"], salt="hotline-staff-account")


def _account_by_cookie(store: Store) -> signin.Who | None:
    """The account the cookie names, read now: None once that session was ended."""
    try:
        value = _account_signer().loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_AGE)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    return signin.current(store, value[0], value[1])


def _signed_in_as(who: signin.Who, to: str = "staff.index") -> ResponseBase:
    return _with_cookie(redirect(url_for(to)), _account_signer().dumps([who.id, who.generation]))


def _with_cookie(response: ResponseBase, value: str) -> ResponseBase:
    """The sign-in cookie: signed, HttpOnly, SameSite=Strict, Secure behind HTTPS, /staff only."""
    secure = request.is_secure or settings.https(current_app.config)
    response.set_cookie(COOKIE, value, max_age=COOKIE_AGE, path="/staff", secure=secure, httponly=True,
                        samesite="Strict")
    return response


def _two_factor_missing(who: signin.Who) -> bool:
    required = str(current_app.config.get("STAFF_2FA") or "").lower() == "required"
    return required and who.role in TWO_FACTOR_ROLES and not who.two_factor


def _throttle() -> Throttle:
    return current_app.extensions["hotline_staff"]


def _client() -> str:
    return request.remote_addr or ""


def _sign_in_key(sign_in: str) -> str:
    return SIGNED_IN + hashlib.sha256(sign_in.encode()).hexdigest()


def _cookie_sign_in(token: str) -> str | None:
    """The sign-in the cookie names, if its signature holds and it is not too old."""
    try:
        value = _signer(token).loads(request.cookies.get(COOKIE, ""), max_age=COOKIE_AGE)
    except BadSignature:  # also an expired or missing cookie
        return None
    return value if isinstance(value, str) else None


def _signed_in_by_cookie(token: str) -> bool:
    """The cookie names a sign-in Redis still has (sign-out deleted it). Redis away: no."""
    sign_in = _cookie_sign_in(token)
    if sign_in is None:
        return False
    try:
        return bool(_line().store.client.exists(_sign_in_key(sign_in)))
    except redis.RedisError:
        log.error("staff sign-in not checked: Redis unavailable (the Bearer header still works)")
        return False


def _too_many(wait: int) -> Response:
    minutes = -(-wait // 60)
    if request.endpoint == "staff.login":
        page, status = _login_page(429, wait=minutes)
        return Response(page, status, {"Retry-After": str(wait)})
    return Response(f"Too many wrong tokens: try again in {minutes} minutes.\n", 429,
                    {"Retry-After": str(wait)}, mimetype="text/plain")


@blueprint.before_request
def _guard() -> ResponseBase | None:
    """404 with neither a token nor an account; otherwise an account's live session, the token
    (throttled) or a live token sign-in, or no entry."""
    token, store = _token(), _store()
    if token is None and not (store is not None and signin.any_accounts(store)):
        abort(404)
    if request.endpoint in OPEN:
        return None
    g.staff = _account_by_cookie(store) if store is not None else None
    if g.staff is not None:
        if _two_factor_missing(g.staff) and request.endpoint not in ("staff.account", "staff.logout"):
            return redirect(url_for("staff.account"))
        return None
    header = request.headers.get("Authorization", "")
    if token is not None and header[:7].lower() == "bearer ":
        verdict = _throttle().compare(_client(), header[7:].strip(), token)
        if verdict.wait:
            return _too_many(verdict.wait)
        if verdict.right:
            return None
        log.warning("staff token refused")
    elif token is not None and _signed_in_by_cookie(token):
        return None
    if request.method == "GET" and request.accept_mimetypes.accept_html:
        return redirect(url_for("staff.login"))
    return Response("Sign in: send Authorization: Bearer <HOTLINE_STAFF_TOKEN>, or use /staff/login\n",
                    401, {"WWW-Authenticate": 'Bearer realm="hotline staff"'}, mimetype="text/plain")


@blueprint.after_request
def _headers(response: Response) -> Response:
    """Nothing from elsewhere runs here, nothing frames it, and no cache keeps it."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blueprint.errorhandler(Exception)
def _failed(exc: Exception) -> Response | HTTPException:
    """Staff get a plain error, not the TwiML apology the app gives Twilio."""
    if isinstance(exc, HTTPException):
        return exc
    log.exception("staff page %s failed", request.path)
    return Response("Something went wrong on the staff page; the server log says what.\n", 500,
                    mimetype="text/plain")


def _login_page(status: int = 200, **shown: Any) -> tuple[str, int]:
    return render_template("staff/login.html", token_on=_token() is not None, accounts_on=_store() is not None,
                           **shown), status


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseBase | tuple[str, int] | str:
    if request.method == "GET":
        return _login_page()
    store = _store()
    if "email" in request.form and store is not None:
        email, code = request.form.get("email", ""), request.form.get("code", "")
        tried: list[signin.Who | str] = []

        def signs_in() -> bool:  # a right password still waiting for its code is no guess either
            tried.append(signin.sign_in(store, email, request.form.get("password", ""), code))
            return isinstance(tried[0], signin.Who) or (tried[0] == signin.NEEDS_CODE and not code)

        verdict = _throttle().attempt(_client(), signs_in)
        if verdict.wait:
            return _too_many(verdict.wait)
        if isinstance(tried[0], signin.Who):
            return _signed_in_as(tried[0])
        if not verdict.right:
            log.warning("staff sign-in failed")
        return _login_page(401, email=email, need_code=tried[0] == signin.NEEDS_CODE,
                           failed=tried[0] if tried[0] != signin.NEEDS_CODE else "")
    token = _token() or ""
    verdict = _throttle().compare(_client(), request.form.get("token", ""), token)
    if verdict.wait:
        return _too_many(verdict.wait)
    if not verdict.right:
        log.warning("staff sign-in failed")
        return _login_page(401, failed="That token is not right. Try again.")
    sign_in = secrets.token_urlsafe(32)
    try:
        _line().store.client.set(_sign_in_key(sign_in), "1", ex=COOKIE_AGE)
    except redis.RedisError:
        return _login_page(503, unavailable=True)
    return _with_cookie(redirect(url_for("staff.index")), _signer(token).dumps(sign_in))


@blueprint.post("/logout")
def logout() -> ResponseBase:
    """Ends the sign-in (every session of an account; a token sign-in in Redis), so a copy of
    the cookie no longer opens anything."""
    store = _store()
    who = _account_by_cookie(store) if store is not None else None
    if who is not None:
        signin.end_sessions(store, who.id)  # type: ignore[arg-type]
    sign_in = None if who is not None else _cookie_sign_in(_token() or "")
    if sign_in is not None:
        try:
            _line().store.client.delete(_sign_in_key(sign_in))
        except redis.RedisError:
            log.error("staff sign-out not recorded: Redis unavailable")
            return Response("Sign-out failed: Redis does not answer. Try again.\n", 503, mimetype="text/plain")
    response = redirect(url_for("staff.login"))
    response.delete_cookie(COOKIE, path="/staff")
    return response


@blueprint.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str) -> ResponseBase | tuple[str, int] | str:
    """A one-time sign-in link (from `hotline staff add`): choose a password, then signed in."""
    store = _store()
    if store is None:
        abort(404)
    if request.method == "GET":
        return render_template("staff/welcome.html")
    used: list[signin.Who | Refused] = []

    def link_works() -> bool:
        try:
            used.append(signin.use_link(store, token, request.form.get("password", "")))
        except Refused as exc:
            used.append(exc)
        return isinstance(used[0], signin.Who)

    verdict = _throttle().attempt(_client(), link_works)
    if verdict.wait:
        return _too_many(verdict.wait)
    if isinstance(used[0], signin.Who):
        return _signed_in_as(used[0])
    return render_template("staff/welcome.html", failed=str(used[0])), 400


@blueprint.route("/account", methods=["GET", "POST"])
def account() -> ResponseBase | tuple[str, int] | str:
    """Change one's password; turn on the second factor (TOTP)."""
    store, who = _store(), g.get("staff")
    if store is None or who is None:
        return render_template("staff/account.html", who=None), 404
    secret = request.form.get("secret") or passwords.new_totp_secret()
    shown = {"who": who, "secret": secret, "uri": passwords.totp_uri(secret, who.email),
             "required": _two_factor_missing(who)}
    if request.method == "GET":
        return render_template("staff/account.html", **shown)
    try:
        if request.form.get("action") == "password":
            return _signed_in_as(signin.change_password(store, who.id, request.form.get("old", ""),
                                                        request.form.get("new", "")), "staff.account")
        return _signed_in_as(signin.turn_on_two_factor(store, who.id, secret, request.form.get("code", "")),
                             "staff.account")
    except Refused as exc:
        return render_template("staff/account.html", failed=str(exc), **shown), 400


def _audit_entries() -> list:
    """The audit log, for admins only."""
    store, who = _store(), g.get("staff")
    if store is None or who is None or who.role != rules.ADMIN:
        abort(403)
    return store.audit_entries()


@blueprint.get("/audit")
def audit_page() -> str:
    return render_template("staff/audit.html", entries=list(reversed(_audit_entries())))


@blueprint.get("/audit.csv")
def audit_csv() -> Response:
    return Response(audit.to_csv(_audit_entries()), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="hotline-audit.csv"'})


# Draft and live ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """Which version a staff page shows: live (what residents get) or the draft on disk."""

    version: str
    content: Content
    changes: list[preview.Change]
    problem: str = ""     # why the draft cannot be shown (it does not load)


def _shown(version: str | None) -> Shown:
    live = _line().content
    try:
        draft = _line().live.draft()
    except FlowError as exc:
        return Shown(preview.LIVE, live, [], f"The files on disk do not load, so there is no draft to try:\n{exc}")
    changes = preview.changes(live, draft)
    if version == preview.DRAFT:
        return Shown(preview.DRAFT, draft, changes)
    return Shown(preview.LIVE, live, changes)


# The simulator ---------------------------------------------------------------------------

@blueprint.get("/")
def index() -> str:
    current = _line()
    shown = _shown(request.args.get("version"))
    content = shown.content
    heard = voice.heard_languages(content, current.voice)
    languages = [(tag, locale.name + ("" if tag in content.offered else ", not offered to residents"), tag in heard)
                 for tag, locale in content.locales.items() if tag in content.offered or content.coverage[tag].translated]
    return render_template("staff/index.html", languages=languages, shown=shown, fallback=content.fallback(),
                           locales=content.locales)


@blueprint.post("/simulate")
def simulate() -> Response | tuple[Response, int]:
    """{channel, lang, session, input} -> what the resident receives and the next session.
    `input` null starts a conversation (in `lang` when given); `session` is what the last
    answer returned."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="send JSON: {channel, lang, session, input}"), 400
    channel, lang, state, text, version = (data.get(k) for k in ("channel", "lang", "session", "input", "version"))
    if not all(v is None or isinstance(v, str) for v in (lang, state, text, version)):
        return jsonify(error="lang, session, input and version are strings or null"), 400
    if state is not None and (len(state) > MAX_STATE or (channel == sms.CHANNEL and sessions.decode(state) is None)):
        return jsonify(error="session is what the last answer returned, or null"), 400
    current = _line()
    shown = _shown(version)
    if version == preview.DRAFT and shown.version != preview.DRAFT:
        return jsonify(error=shown.problem), 409
    content, lang, text = shown.content, lang or None, None if text is None else text[:MAX_INPUT]
    texting = {c.name: c for c in (current.sms, current.whatsapp)}.get(str(channel))
    if texting is not None:
        if lang and lang not in content.locales:  # staff may try a language residents are not offered yet
            return jsonify(error=f"{lang} is not in locales.yaml"), 400
        return jsonify(_text_turn(content, texting, lang, state, text))
    if channel == voice.CHANNEL:
        if lang and lang not in voice.heard_languages(content, current.voice):
            return jsonify(error=f"{lang} cannot be heard on the voice line (SMS only)"), 400
        return jsonify(_voice_turn(content, current.voice, lang, state, text))
    return jsonify(error="channel is sms, whatsapp or voice"), 400


def _costed(text: str, channel: messaging.TextChannel) -> dict[str, Any]:
    """A message with what it costs: by SMS its encoding and segments, by WhatsApp its length."""
    cost: dict[str, Any] = {"text": text, "characters": len(text)}
    if isinstance(channel, sms.SmsSettings):
        cost.update(encoding=gsm.encoding(text), segments=gsm.segments(text))
    return cost


def _where(session: Session | None) -> dict[str, Any]:
    node = None if session is None or session.choosing_language else session.node
    return {"lang": session.lang if session else None, "node": node}


def _text_turn(content: Content, channel: messaging.TextChannel, lang: str | None, state: str | None,
               text: str | None) -> dict[str, Any]:
    """`text` None: first contact in `lang`, as `hotline simulate --lang` starts; a text goes
    through `messaging.answer`, as the webhook's does."""
    answer = simulator.text_turn(content, channel, sessions.decode(state), text, lang)
    session = answer.session
    return {"session": sessions.encode(session) if session else None, **_where(session),
            "stopped": answer.stopped, "replies": [_costed(t, channel) for t in answer.texts]}


def _voice_turn(content: Content, settings: voice.VoiceSettings, lang: str | None, state: str | None,
                text: str | None) -> dict[str, Any]:
    heard = simulator.call_turn(content, settings, state, text, lang)
    return {"session": heard.state, **_where(heard.session), "prompts": [simulator.shown(p) for p in heard.prompts],
            "listen": {"speech": heard.speech} if heard.state else None}


# One node in every language --------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """One node in one language, as residents get it (or would, in the draft)."""

    tag: str
    name: str
    rtl: bool
    by_sms: bool
    by_voice: str          # how callers hear it, or "" when they cannot
    title: str
    paragraphs: list[str]
    pages: list[dict[str, Any]]   # the SMS as sent, with encoding and segments
    fallback: list[str]           # its strings served in English or from an earlier English, and why


@blueprint.get("/node/<node_id>")
def node_page(node_id: str) -> str:
    current = _line()
    shown = _shown(request.args.get("version"))
    content = shown.content
    found = content.flow.nodes.get(node_id) or abort(404)
    heard = voice.heard_languages(content, current.voice)
    versions = []
    for tag, locale in content.locales.items():
        texts = content.texts_for(tag)
        how = voice.hearing(content, current.voice, tag) if tag in heard else ""
        spoken = f"{locale.voice or 'Twilio default voice'}, {locale.say_language}" if how == voice.VOICE else how
        keys = ((node_id, found.text), (node_id, found.title))
        pages = messaging.render(content, Reply(node=node_id, lang=tag), current.sms)
        fallback = content.coverage[tag].fallback
        versions.append(Version(tag, locale.name, locale.rtl, tag in content.offered, spoken, title(texts, found),
                                paragraphs(texts, found), [_costed(p, current.sms) for p in pages],
                                [_fell_back(fallback[k]) for k in keys if k in fallback]))
    return render_template("staff/node.html", node=found, flow=content.flow, versions=versions, shown=shown)


def _fell_back(served: Served) -> str:
    """Why a string of this screen is not in its own translation, for the badge."""
    got = "from the earlier English" if served.how == OLDER else "in English"
    return f"{got}: {REASONS[served.reason]}"


# The flow as a picture -------------------------------------------------------------------

@blueprint.get("/flow")
def flow_page() -> str:
    """SVG through Graphviz when `dot` is installed; else the Mermaid text (no script may
    be fetched to draw it)."""
    current = _line().content.flow
    try:
        drawn = graph.svg(current)
        picture, mermaid, problem = Markup(drawn[drawn.index("<svg"):]), "", ""
    except graph.GraphError as exc:
        picture, mermaid, problem = Markup(""), graph.mermaid(current), str(exc)
    return render_template("staff/flow.html", picture=picture, mermaid=mermaid, problem=problem, flow=current)


# Counts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    """One node's counts, as shown: small counts as "<5", drawn as long as 5."""

    node: str
    title: str
    reached: str
    left: str
    reached_width: int
    left_width: int


def chart(flow: Flow, rows: list[stats.Row]) -> list[Bar]:
    """Totals per node over the rows, in the flow's order (nodes since removed last)."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.node, [0, 0])
        total[0] += row.reached
        total[1] += row.left
    top = max([stats.SMALL, *(n for total in totals.values() for n in total)])

    def width(count: int) -> int:
        return round(BAR * max(count, stats.SMALL) / top) if count else 0

    order = [*flow.nodes, *sorted(set(totals) - set(flow.nodes))]
    return [Bar(n, flow.nodes[n].title if n in flow.nodes else n, stats.shown(totals[n][0]),
                stats.shown(totals[n][1]), width(totals[n][0]), width(totals[n][1]))
            for n in order if n in totals]


def _rows(channel: str, lang: str) -> list[stats.Row]:
    today = dt.datetime.now(dt.UTC).date()
    rows = stats.read(_line().store.client, (today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)))
    return [r for r in rows if channel in ("", r.channel) and lang in ("", r.lang)]


def _filters() -> tuple[str, str]:
    """The counts' channel and language: one the line has, or all (""); anything else is 400."""
    channel, lang = request.args.get("channel", ""), request.args.get("lang", "")
    if channel not in ("", *NAMES) or lang not in ("", *_line().content.locales):
        abort(400)
    return channel, lang


@blueprint.get("/counts")
def counts() -> str | tuple[str, int]:
    channel, lang = _filters()
    content = _line().content
    page = {"channel": channel, "lang": lang, "days": DAYS, "locales": content.locales, "channels": NAMES}
    try:
        rows = _rows("", lang)
    except redis.RedisError:
        return render_template("staff/counts.html", bars=None, **page), 503
    bars = chart(content.flow, [r for r in rows if channel in ("", r.channel)])
    by_channel = [(NAMES.get(c, c), stats.shown(n)) for c, n in stats.conversations(rows, NAMES).items()]
    unreached = [n for n in content.flow.nodes.values() if n.id not in {b.node for b in bars}]
    return render_template("staff/counts.html", bars=bars, unreached=unreached, by_channel=by_channel, **page)


@blueprint.get("/counts.csv")
def counts_csv() -> Response:
    try:
        rows = _rows(*_filters())
    except redis.RedisError:
        return Response("Counts are unavailable: Redis does not answer.\n", 503, mimetype="text/plain")
    return Response(stats.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="hotline-counts-{DAYS}-days.csv"'})


# `hotline check` ---------------------------------------------------------------------------

@blueprint.get("/check")
def check_page() -> str:
    cfg = current_app.config
    report = run_check(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]), cfg)
    warnings = [p for p in report.problems if p.severity == WARNING]
    return render_template("staff/check.html", report=report, warnings=warnings, nodes=_line().content.flow.nodes)
