"""Staff sign in to the staff pages with their own accounts: a password, a TOTP code once they
turn it on (compulsory for admins and publishers with HOTLINE_STAFF_2FA=required), and every
session of a person ends at once at sign-out, a password or role change, or removal."""
from __future__ import annotations

import pyotp
import pytest

from hotline.store import signin
from hotline.web import throttle
from tests.staff_forms import PASSWORD, csrf, with_accounts


@pytest.fixture
def line(make_app, make_store):
    """Apps made with the settings given, all with one store of two accounts."""
    store = make_store()
    with_accounts(make_app(), store, ("pat@line.org", "Pat", "publisher", []), ("ed@line.org", "Ed", "editor", []))
    return lambda **config: with_accounts(make_app(**config), store), store


def sign_in(client, email: str = "ed@line.org", password: str = PASSWORD, **form: str):
    return client.post("/staff/login", data={"email": email, "password": password, **form})


def test_without_a_token_or_an_account_the_pages_are_not_there(make_app, make_store):
    app = make_app()
    app.extensions["hotline_store"] = make_store()
    assert app.test_client().get("/staff/").status_code == 404


def test_a_staff_member_signs_in_with_their_password_and_a_wrong_one_is_logged_without_it(line):
    app, store = line
    client = app().test_client()
    assert client.get("/staff/").status_code == 401
    refused = sign_in(client, password="not the password")
    assert refused.status_code == 401 and "do not match an account" in refused.get_data(as_text=True)
    assert sign_in(client).status_code == 302
    assert client.get("/staff/").status_code == 200
    log = [(e.actor, e.action, e.details) for e in store.audit_entries()]
    assert ("ed@line.org", "sign-in failed", '{"why": "email or password"}') in log
    assert ("ed@line.org", "signed in", '{"two_factor": false}') in log
    assert not any(PASSWORD in str(entry) or "not the password" in str(entry) for entry in log)


@pytest.mark.parametrize("ending", ["sign-out elsewhere", "role change", "removal", "password change"])
def test_a_persons_sessions_end_at_once(line, ending):
    app, store = line
    flask_app = app()
    laptop, phone = flask_app.test_client(), flask_app.test_client()
    for browser in (laptop, phone):
        sign_in(browser)
        assert browser.get("/staff/").status_code == 200
    if ending == "sign-out elsewhere":
        phone.post("/staff/logout", data={"csrf_token": csrf(phone)})
    elif ending == "role change":
        store.set_role("ed@line.org", "translator", ["es"])
    elif ending == "removal":
        store.remove_account("ed@line.org")
    else:
        who = store.accounts()[0]
        assert who.email == "ed@line.org"
        signin.change_password(store, who.id, PASSWORD, "another long password")
    assert laptop.get("/staff/", headers={"Accept": "text/html"}).status_code == 302  # back to the sign-in page
    assert laptop.get("/staff/counts").status_code == 401


def test_a_second_factor_once_turned_on_is_asked_for(line):
    app, store = line
    client = app().test_client()
    sign_in(client)
    page = client.get("/staff/account").get_data(as_text=True)
    secret = page.split('name="secret" value="')[1].split('"')[0]
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/staff/account", data={"action": "totp", "secret": secret, "code": "000000", "csrf_token": token})
    assert wrong.status_code == 400
    assert client.post("/staff/account", data={"action": "totp", "secret": secret, "csrf_token": token,
                                               "code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "Second factor: on" in client.get("/staff/account").get_data(as_text=True)
    other = app().test_client()
    asked = sign_in(other)
    assert asked.status_code == 401 and "6-digit code" in asked.get_data(as_text=True)
    assert sign_in(other, code=pyotp.TOTP(secret).now()).status_code == 302
    assert other.get("/staff/").status_code == 200


def test_required_two_factor_sends_a_publisher_to_set_it_up_first(line):
    app, _ = line
    client = app(STAFF_2FA="required").test_client()
    sign_in(client, "pat@line.org")
    first = client.get("/staff/")
    assert first.status_code == 302 and first.headers["Location"].endswith("/staff/account")
    assert "requires a second factor" in client.get("/staff/account").get_data(as_text=True)
    editor = app(STAFF_2FA="required").test_client()
    sign_in(editor)
    assert editor.get("/staff/").status_code == 200  # editors and translators choose for themselves


def test_a_one_time_link_sets_the_password_once(line):
    app, store = line
    token = store.add_account("new@line.org", "New", "translator", ["es"], None)
    client = app().test_client()
    assert client.get(f"/staff/welcome/{token}").status_code == 200
    assert client.post(f"/staff/welcome/{token}", data={"password": "my own long password"}).status_code == 302
    assert client.get("/staff/").status_code == 200
    again = app().test_client().post(f"/staff/welcome/{token}", data={"password": "someone elses password"})
    assert again.status_code == 400 and "used or has expired" in again.get_data(as_text=True)


def test_wrong_passwords_are_throttled_like_wrong_tokens(line):
    app, _ = line
    client = app().test_client()
    codes = [sign_in(client, password=f"guess {i}").status_code for i in range(throttle.PER_CLIENT + 2)]
    assert codes[:throttle.PER_CLIENT] == [401] * throttle.PER_CLIENT and codes[-1] == 429
    assert sign_in(client).status_code == 429  # the right password too, until the window ends


def test_admins_read_the_audit_log_and_download_it_and_no_one_else_does(line):
    app, store = line
    store.add_account("ada@line.org", "Ada", "admin", [], PASSWORD)
    flask_app = app()
    admin, editor = flask_app.test_client(), flask_app.test_client()
    sign_in(admin, "ada@line.org")
    sign_in(editor)
    page = admin.get("/staff/audit").get_data(as_text=True)
    assert "ed@line.org" in page and "signed in" in page and "account added" in page
    download = admin.get("/staff/audit.csv")
    assert download.mimetype == "text/csv" and download.get_data(as_text=True).startswith("seq,at,actor,action")
    assert editor.get("/staff/audit").status_code == 403 and editor.get("/staff/audit.csv").status_code == 403
