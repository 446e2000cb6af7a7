"""Staff accounts, for admins: who has one, their role and languages."""
from __future__ import annotations

from flask import Blueprint, render_template

from hotline.staff import shared

blueprint = Blueprint("accounts", __name__, template_folder="templates")


@blueprint.get("/accounts")
def accounts_page() -> str:
    store, _who = shared.admin()
    return render_template("staff/accounts/accounts.html", accounts=store.accounts())
