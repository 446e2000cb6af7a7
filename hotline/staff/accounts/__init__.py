"""Staff accounts, for admins: add someone (a one-time sign-in link to hand them), remove
them, set their role and languages, and reset a second factor when a phone is lost. Every
change is the store's (`hotline.store.Store`), audited there; a refusal is shown beside the
form in its own words."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for

from hotline.staff import shared
from hotline.store import Refused, rules

blueprint = Blueprint("accounts", __name__, template_folder="templates")
ROLES = {  # what each role may do, in the words the page uses
    rules.EDITOR: "Editor: writes the English and the facts",
    rules.TRANSLATOR: "Translator: translates their languages",
    rules.PUBLISHER: "Publisher: approves and publishes",
    rules.ADMIN: "Admin: manages staff accounts",
}


def _page(status: int = 200, **shown: Any) -> tuple[str, int]:
    store, who = shared.admin()
    locales = shared.line().content.locales
    languages = {tag: locale.name for tag, locale in locales.items() if tag != "en"}
    return render_template("staff/accounts/accounts.html", accounts=store.accounts(), roles=ROLES,
                           languages=languages, me=who, **shown), status


def _chosen_languages() -> list[str]:
    return [tag for tag in request.form.getlist("languages") if tag]


def _welcome_link(token: str) -> str:
    """The link to hand the new person: on the address Twilio and staff use when it is set."""
    path = url_for("staff.signing.welcome", token=token)
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    return base + path if base else url_for("staff.signing.welcome", token=token, _external=True)


@blueprint.get("/accounts")
def accounts_page() -> tuple[str, int]:
    return _page()


@blueprint.post("/accounts/add")
def add() -> tuple[str, int]:
    store, who = shared.admin()
    email, name = request.form.get("email", "").strip(), request.form.get("name", "").strip()
    try:
        if not email or not name:
            raise Refused("an account needs a name and an email address.")
        token = store.add_account(email, name, request.form.get("role", ""), _chosen_languages(), None, by=who.email)
    except Refused as exc:
        return _page(400, failed=str(exc), form=request.form)
    assert token is not None  # no password given: a link is made
    return _page(done=f"{email} is added.", link=_welcome_link(token), link_for=name)


@blueprint.post("/accounts/change")
def change() -> tuple[str, int]:
    """Role and languages; remove; reset the second factor: the action the button names."""
    store, who = shared.admin()
    email, action = request.form.get("email", ""), request.form.get("action", "")
    try:
        if action == "remove":
            if email == who.email:
                raise Refused("you cannot remove your own account: another admin can.")
            store.remove_account(email, by=who.email)
            done = f"{email} is removed: their sessions have ended."
        elif action == "reset":
            store.reset_two_factor(email, by=who.email)
            done = f"{email}'s second factor is off: they sign in with their password and turn it on again."
        else:
            store.set_role(email, request.form.get("role", ""), _chosen_languages(), by=who.email)
            done = f"{email} is now {request.form.get('role')}: they sign in again."
    except Refused as exc:
        return _page(400, failed=str(exc))
    return _page(done=done)
