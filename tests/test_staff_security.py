"""Now that staff write what residents read: a request signed by the sign-in cookie changes
nothing without its CSRF token (an `Authorization: Bearer` request needs none), the cookie is
HttpOnly, SameSite and Secure outside development mode, and a `<script>` in a translation is
shown as text on the staff pages and sent as text to a resident."""
from __future__ import annotations

import shutil

import pytest

from tests import store_fixtures as fx
from tests.conftest import NUMBER, Twilio, messages, sms_params
from tests.staff_forms import PASSWORD, csrf, signed_in as client_of, with_accounts

STAFF = "staff-token-for-tests-0123456789"
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def signed_in(make_app, make_store):
    store = make_store()
    return client_of(with_accounts(make_app(), store, ("ed@line.org", "Ed", "editor", [])), "ed@line.org"), store


def test_a_post_without_its_csrf_token_is_refused(signed_in):
    client, store = signed_in
    change = {"action": "password", "old": PASSWORD, "new": "a brand new long password"}
    refused = client.post("/staff/account", data=change)
    assert refused.status_code == 403 and "reload the page" in refused.get_data(as_text=True)
    forged = client.post("/staff/account", data={**change, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert client.post("/staff/logout").status_code == 403
    assert client.get("/staff/").status_code == 200  # still signed in, password unchanged
    assert client.post("/staff/account", data={**change, "csrf_token": csrf(client)}).status_code == 302
    assert "password changed" in [e.action for e in store.audit_entries()]


def test_the_header_carries_it_for_a_fetch_and_the_token_in_a_bearer_header_needs_none(make_app):
    app = make_app(STAFF_TOKEN=STAFF)
    client = app.test_client()
    signed = client.post("/staff/login", data={"token": STAFF})
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    start = {"channel": "sms", "lang": "es", "session": None, "input": None}
    assert client.post("/staff/simulate", json=start).status_code == 403
    assert client.post("/staff/simulate", json=start, headers={"X-CSRF-Token": csrf(client)}).status_code == 200
    bearer = app.test_client()
    assert bearer.post("/staff/simulate", json=start, headers={"Authorization": f"Bearer {STAFF}"}).status_code == 200


def test_the_cookie_is_secure_outside_development_mode_only(make_app):
    dev = make_app(STAFF_TOKEN=STAFF, DEV=True, PUBLIC_URL="http://localhost:8000").test_client()
    assert "Secure" not in dev.post("/staff/login", data={"token": STAFF}).headers["Set-Cookie"]
    live = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL="http://line.example.org").test_client()
    assert "Secure" in live.post("/staff/login", data={"token": STAFF}).headers["Set-Cookie"]


def test_a_script_in_a_translation_is_text_on_the_node_page_and_by_sms(make_app, tmp_path):
    shutil.copytree(fx.SMALL, tmp_path, dirs_exist_ok=True)
    catalog = tmp_path / "translations/es/LC_MESSAGES/messages.po"
    text = catalog.read_text(encoding="utf-8")
    assert 'msgstr "Sus derechos"' in text
    catalog.write_text(text.replace('msgstr "Sus derechos"', f'msgstr "Sus derechos {SCRIPT}"'.replace('"x"', '\\"x\\"'), 1),
                       encoding="utf-8")
    app = make_app(STAFF_TOKEN=STAFF, FLOWS=str(tmp_path / "flows"), TRANSLATIONS=str(tmp_path / "translations"))
    page = app.test_client().get("/staff/node/rights", headers={"Authorization": f"Bearer {STAFF}"})
    shown = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Sus derechos &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in shown and SCRIPT not in shown
    twilio = Twilio(app.test_client())
    answers = [twilio.post("/sms", sms_params(NUMBER, body)) for body in ("hola", "2")]  # Spanish: its menu lists the page
    assert any(SCRIPT in text for answer in answers for text in messages(answer))  # the resident reads it as typed
    assert not any(b"<script" in answer.data for answer in answers)  # as text in the TwiML, never markup
