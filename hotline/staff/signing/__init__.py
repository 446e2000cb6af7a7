"""Signing in and out: the sign-in page (an account's email, password and TOTP code, or the
shared staff token), sign-out, the one-time welcome link, and one's own account (password,
second factor)."""
from __future__ import annotations

import logging
from typing import Any

import redis
import segno
from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as ResponseBase

from hotline.staff import shared
from hotline.store import Refused, accounts as passwords, signin

log = logging.getLogger("hotline")
blueprint = Blueprint("signing", __name__, template_folder="templates")


def _login_page(status: int = 200, **shown: Any) -> tuple[str, int]:
    return render_template("staff/signing/login.html", token_on=shared.token() is not None,
                           accounts_on=shared.store() is not None, **shown), status


def _wait(seconds: int) -> Response:
    page, status = _login_page(429, wait=-(-seconds // 60))
    return Response(page, status, {"Retry-After": str(seconds)})


@blueprint.route("/login", methods=["GET", "POST"])
@shared.public
def login() -> ResponseBase | tuple[str, int] | str:
    if request.method == "GET":
        return _login_page()
    store = shared.store()
    if "email" in request.form and store is not None:
        email, code = request.form.get("email", ""), request.form.get("code", "")
        tried: list[signin.Who | str] = []

        def signs_in() -> bool:  # a right password still waiting for its code is no guess either
            tried.append(signin.sign_in(store, email, request.form.get("password", ""), code))
            return isinstance(tried[0], signin.Who) or (tried[0] == signin.NEEDS_CODE and not code)

        verdict = shared.throttle().attempt(shared.client(), signs_in)
        if verdict.wait:
            return _wait(verdict.wait)
        if isinstance(tried[0], signin.Who):
            return shared.signed_in_as(tried[0])
        if not verdict.right:
            log.warning("staff sign-in failed")
        return _login_page(401, email=email, need_code=tried[0] == signin.NEEDS_CODE,
                           failed=tried[0] if tried[0] != signin.NEEDS_CODE else "")
    token = shared.token() or ""
    verdict = shared.throttle().compare(shared.client(), request.form.get("token", ""), token)
    if verdict.wait:
        return _wait(verdict.wait)
    if not verdict.right:
        log.warning("staff sign-in failed")
        return _login_page(401, failed="That token is not right. Try again.")
    try:
        return shared.signed_in_with_token(token)
    except redis.RedisError:
        return _login_page(503, unavailable=True)


@blueprint.post("/logout")
@shared.before_second_factor
def logout() -> ResponseBase:
    """Ends the sign-in (every session of an account; a token sign-in in Redis), so a copy of
    the cookie no longer opens anything."""
    store = shared.store()
    who = shared.account_by_cookie(store) if store is not None else None
    if store is not None and who is not None:
        signin.end_sessions(store, who.id)
    else:
        try:
            shared.end_token_sign_in(shared.token() or "")
        except redis.RedisError:
            log.error("staff sign-out not recorded: Redis unavailable")
            return Response("Sign-out failed: Redis does not answer. Try again.\n", 503, mimetype="text/plain")
    return shared.signed_out(redirect(url_for(".login")))


@blueprint.route("/welcome/<token>", methods=["GET", "POST"])
@shared.public
def welcome(token: str) -> ResponseBase | tuple[str, int] | str:
    """A one-time sign-in link (from `hotline staff add` or the Accounts page): choose a
    password, then signed in."""
    store = shared.store()
    if store is None:
        abort(404)
    if request.method == "GET":
        return render_template("staff/signing/welcome.html")
    used: list[signin.Who | Refused] = []

    def link_works() -> bool:
        try:
            used.append(signin.use_link(store, token, request.form.get("password", "")))
        except Refused as exc:
            used.append(exc)
        return isinstance(used[0], signin.Who)

    verdict = shared.throttle().attempt(shared.client(), link_works)
    if verdict.wait:
        return shared.too_many(verdict.wait)
    if isinstance(used[0], signin.Who):
        return shared.signed_in_as(used[0])
    return render_template("staff/signing/welcome.html", failed=str(used[0])), 400


def _qr(uri: str) -> str:
    """The key as a QR code for a phone's authenticator app, an SVG `data:` URL (the pages'
    Content-Security-Policy allows images from data:, nothing fetched)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@blueprint.route("/account", methods=["GET", "POST"])
@shared.before_second_factor
def account() -> ResponseBase | tuple[str, int] | str:
    """Change one's password; turn on the second factor (TOTP)."""
    store, who = shared.store(), g.get("staff")
    if store is None or who is None:
        return render_template("staff/signing/account.html", who=None), 404
    secret = request.form.get("secret") or passwords.new_totp_secret()
    uri = passwords.totp_uri(secret, who.email)
    shown = {"who": who, "secret": secret, "uri": uri, "qr": _qr(uri), "required": shared.two_factor_missing(who)}
    if request.method == "GET":
        return render_template("staff/signing/account.html", **shown)
    try:
        if request.form.get("action") == "password":
            return shared.signed_in_as(signin.change_password(store, who.id, request.form.get("old", ""),
                                                              request.form.get("new", "")), "staff.signing.account")
        return shared.signed_in_as(signin.turn_on_two_factor(store, who.id, secret, request.form.get("code", "")),
                                   "staff.signing.account")
    except Refused as exc:
        return render_template("staff/signing/account.html", failed=str(exc), **shown), 400
