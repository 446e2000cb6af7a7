"""Accounts in the browser: an admin adds someone (a one-time link to hand them), sets their
role and languages, resets a lost second factor and removes them; no one else may; everyone
turns on their own second factor from a QR code."""
from __future__ import annotations

import re
from urllib.parse import unquote

import pyotp
import pytest

from tests.staff_forms import PASSWORD, csrf, signed_in, with_accounts


@pytest.fixture
def line(make_app, make_store):
    store = make_store()
    app = with_accounts(make_app(), store, ("ada@line.org", "Ada", "admin", []), ("ed@line.org", "Ed", "editor", []))
    return app, store


def post(client, path: str, **form):
    return client.post(path, data={**form, "csrf_token": csrf(client)})


def test_an_admin_adds_someone_who_signs_in_with_the_link_shown(line):
    app, store = line
    admin = signed_in(app, "ada@line.org")
    added = post(admin, "/staff/accounts/add", name="Ola", email="ola@line.org", role="translator", languages="pl")
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and "ola@line.org is added" in page
    link = re.search(r'value="(https://[^"]+/staff/welcome/[^"]+)"', page).group(1)
    newcomer = app.test_client()
    path = "/staff/welcome/" + link.rsplit("/", 1)[1]
    assert newcomer.post(path, data={"password": "Ola's own long password"}).status_code == 302
    assert newcomer.get("/staff/").status_code == 200
    ola = next(a for a in store.accounts() if a.email == "ola@line.org")
    assert (ola.role, ola.languages) == ("translator", "pl")
    assert ("ada@line.org", "account added", "ola@line.org") in [(e.actor, e.action, e.target) for e in store.audit_entries()]


def test_a_refusal_is_shown_beside_the_form(line):
    app, _ = line
    admin = signed_in(app, "ada@line.org")
    refused = post(admin, "/staff/accounts/add", name="Tom", email="tom@line.org", role="translator")
    assert refused.status_code == 400 and "a translator needs their languages" in refused.get_data(as_text=True)
    again = post(admin, "/staff/accounts/add", name="Ed", email="ed@line.org", role="editor")
    assert again.status_code == 400 and "already has an account" in again.get_data(as_text=True)


def test_an_admin_changes_a_role_and_languages_and_that_person_signs_in_again(line):
    app, store = line
    admin, ed = signed_in(app, "ada@line.org"), signed_in(app, "ed@line.org")
    changed = post(admin, "/staff/accounts/change", email="ed@line.org", action="role", role="translator",
                   languages=["es", "pl"])
    assert changed.status_code == 200
    account = next(a for a in store.accounts() if a.email == "ed@line.org")
    assert (account.role, account.languages) == ("translator", "es,pl")
    assert ed.get("/staff/counts").status_code == 401  # their session ended


def test_an_admin_resets_a_lost_second_factor_and_removes_someone(line):
    app, store = line
    ed = signed_in(app, "ed@line.org")
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', ed.get("/staff/account").get_data(as_text=True)).group(1)
    assert post(ed, "/staff/account", action="totp", secret=secret, code=pyotp.TOTP(secret).now()).status_code == 302
    assert app.test_client().post("/staff/login", data={"email": "ed@line.org", "password": PASSWORD}).status_code == 401
    admin = signed_in(app, "ada@line.org")
    assert "Reset second factor" in admin.get("/staff/accounts").get_data(as_text=True)
    assert post(admin, "/staff/accounts/change", email="ed@line.org", action="reset").status_code == 200
    signed_in(app, "ed@line.org")  # the password alone again
    assert "second factor reset" in [e.action for e in store.audit_entries()]
    assert post(admin, "/staff/accounts/change", email="ed@line.org", action="remove").status_code == 200
    assert "ed@line.org" not in [a.email for a in store.accounts()]
    assert app.test_client().post("/staff/login", data={"email": "ed@line.org", "password": PASSWORD}).status_code == 401
    itself = post(admin, "/staff/accounts/change", email="ada@line.org", action="remove")
    assert itself.status_code == 400 and "ada@line.org" in [a.email for a in store.accounts()]


def test_only_admins_see_or_change_accounts(line):
    app, store = line
    ed = signed_in(app, "ed@line.org")
    assert ed.get("/staff/accounts").status_code == 403
    assert post(ed, "/staff/accounts/add", name="X", email="x@line.org", role="admin").status_code == 403
    assert post(ed, "/staff/accounts/change", email="ada@line.org", action="remove").status_code == 403
    assert [a.email for a in store.accounts()] == ["ada@line.org", "ed@line.org"]
    assert "Accounts" not in ed.get("/staff/account").get_data(as_text=True).split("<main")[0]


def test_the_second_factor_is_offered_as_a_qr_code_of_the_key(line):
    app, _ = line
    page = signed_in(app, "ed@line.org").get("/staff/account").get_data(as_text=True)
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page).group(1)
    image = re.search(r'<img class="qr" src="(data:image/svg\+xml[^"]+)"', page).group(1)
    svg = unquote(image.split(",", 1)[1])
    assert svg.startswith("<svg") or svg.startswith("<?xml")
    typed = re.search(r'<code class="totp-key">([A-Z2-7 ]+)</code>', page).group(1)
    assert typed.replace(" ", "") == secret  # typed by hand when there is no camera, in groups of four


def test_reset_two_factor_in_the_store_ends_sessions_and_is_refused_to_non_admins(make_store):
    from hotline.store import Refused, signin
    store = make_store()
    store.add_account("ada@line.org", "Ada", "admin", [], PASSWORD)
    store.add_account("ed@line.org", "Ed", "editor", [], PASSWORD)
    ed = next(a for a in store.accounts() if a.email == "ed@line.org")
    secret = pyotp.random_base32()
    who = signin.turn_on_two_factor(store, ed.id, secret, pyotp.TOTP(secret).now())
    with pytest.raises(Refused, match="not an admin"):
        store.reset_two_factor("ed@line.org", by="ed@line.org")
    store.reset_two_factor("ed@line.org", by="ada@line.org")
    assert signin.current(store, who.id, who.generation) is None
    assert isinstance(signin.sign_in(store, "ed@line.org", PASSWORD), signin.Who)
