"""Every staff page in a real browser (Debian's Chromium through Playwright), signed in as an
admin: a screenshot of each at a phone's width and a desktop's (`tests/staff_screens.py`),
and what a phone, keyboard or screen-reader user would trip on: a page wider than the
phone, a field without a label, a page without its landmarks, or a skip link that goes
nowhere. And what the issue's security asks, seen in the browser: a `<script>` in a
translation shows as text, and a POST without its CSRF token is refused."""
from __future__ import annotations

import shutil

import pytest

from tests import store_fixtures as fx
from tests.staff_forms import PASSWORD, with_accounts
from tests.staff_screens import PHONE, needs_chromium
from tests.test_staff_browser import STAFF, serving, sync_api

pytestmark = needs_chromium

# Form fields with no name a screen reader can read: no <label>, no aria-label(ledby).
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 80))"""
WIDER_THAN_SCREEN = "() => document.documentElement.scrollWidth - window.innerWidth"
LANDMARKS = "() => ['header', 'main'].filter((tag) => !document.querySelector(tag))"


@pytest.fixture
def served(make_app, make_store):
    store = make_store()
    app = with_accounts(make_app(PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1"), store,
                        ("ada@line.org", "Ada Admin", "admin", []), ("tomasz@line.org", "Tomasz", "translator", ["pl"]))
    with serving(app) as base:
        yield app, store, base



def looked_at(page, screenshots, name: str) -> None:
    """Saved at both widths, and nothing on it a phone, keyboard or screen-reader user trips on."""
    assert page.evaluate(UNLABELLED) == [], name
    assert page.evaluate(LANDMARKS) == [], name
    page.set_viewport_size(PHONE)
    assert page.evaluate(WIDER_THAN_SCREEN) <= 0, f"{name} is wider than a phone"
    screenshots(page, name)


def test_every_staff_page_at_phone_and_desktop_widths(served, page, screenshots):
    app, store, base = served
    expect = sync_api.expect
    link = store.add_account("new@line.org", "New Person", "editor", [], None)

    page.goto(f"{base}/staff/welcome/{link}")
    looked_at(page, screenshots, "welcome")
    page.goto(base + "/staff/")
    assert page.url == base + "/staff/login"
    looked_at(page, screenshots, "login")

    page.fill("#email", "ada@line.org")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")  # the keyboard alone signs in
    page.wait_for_url(base + "/staff/")
    looked_at(page, screenshots, "home")
    page.keyboard.press("Tab")  # the skip link comes first, is seen when focused, and leads to the page
    expect(page.locator("a.skip")).to_be_focused()
    expect(page.locator("a.skip")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    node = next(iter(app.extensions["hotline"].content.flow.nodes))
    for name, path in [("node", f"/staff/node/{node}"), ("flow", "/staff/flow"), ("counts", "/staff/counts"),
                       ("problems", "/staff/check"), ("account", "/staff/account"), ("accounts", "/staff/accounts"),
                       ("audit", "/staff/audit")]:
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        looked_at(page, screenshots, name)
    page.goto(base + "/staff/accounts")
    expect(page.locator(".person")).to_have_count(3)
    page.fill("#add-name", "Maria")
    page.fill("#add-email", "maria@line.org")
    page.select_option("#add-role", "translator")
    page.check("form[aria-labelledby=add-heading] input[value=es]")
    page.click("text=Add and make their sign-in link")
    expect(page.locator("[role=status]")).to_contain_text("maria@line.org is added")
    assert page.locator("#new-link").input_value().startswith(f"{base}/staff/welcome/")
    looked_at(page, screenshots, "accounts-added")


def test_in_the_browser_a_script_in_a_translation_is_text_and_a_post_without_its_token_is_refused(
        make_app, tmp_path, page, screenshots):
    shutil.copytree(fx.SMALL, tmp_path / "line")
    catalog = tmp_path / "line/translations/es/LC_MESSAGES/messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        'msgstr "Sus derechos"', 'msgstr "Sus derechos <script>alert(1)</script>"', 1), encoding="utf-8")
    app = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1",
                   FLOWS=str(tmp_path / "line/flows"), TRANSLATIONS=str(tmp_path / "line/translations"))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with serving(app) as base:
        page.goto(base + "/staff/login")
        page.fill("#token", STAFF)
        page.press("#token", "Enter")
        page.wait_for_url(base + "/staff/")
        page.goto(base + "/staff/node/rights")
        sync_api.expect(page.locator("[lang=es] h3")).to_have_text("Sus derechos <script>alert(1)</script>")
        looked_at(page, screenshots, "node-with-a-script-in-spanish")
        assert dialogs == []  # shown, never run

        forged = page.request.post(base + "/staff/logout", max_redirects=0)  # the browser's cookie, no token
        assert forged.status == 403
        token = page.locator("meta[name=csrf-token]").get_attribute("content")
        signed_out = page.request.post(base + "/staff/logout", headers={"X-CSRF-Token": token}, max_redirects=0)
        assert signed_out.status == 302
