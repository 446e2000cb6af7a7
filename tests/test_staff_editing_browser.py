"""Issue 19's walk in a real browser (Debian's Chromium through Playwright), on the store with
the small fixture flow: an editor changes a sentence and a phone number, tries the line with
the draft and asks for review; a publisher sees the difference in two languages and two
channels, approves and publishes; a resident's signed SMS gets the new text; a publisher
restores the earlier revision and a second publisher approves it. Every page is saved as a
screenshot at phone and desktop widths in the test's folder."""
from __future__ import annotations

import itertools
import time

import pytest

from tests import store_fixtures as fx
from tests.conftest import Twilio, sms_params
from tests.staff_screens import needs_chromium
from tests.test_staff_browser import serving

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
pytestmark = needs_chromium
PASSWORD = "correct horse battery staple"
OLD, NEW = "Information for testing.", "Information for residents of Chicago."
OLD_PHONE, NEW_PHONE = "1-855-435-7693", "312-660-1370"
NUMBERS = (f"+1312555{n:04d}" for n in itertools.count(6000))


@pytest.fixture
def line(make_app, tmp_path):
    app = make_app(CONTENT="store", INSTANCE=str(tmp_path / "instance"), FLOWS=str(fx.SMALL / "flows"),
                   TRANSLATIONS=str(fx.SMALL / "translations"), PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1,localhost")
    store = app.extensions["hotline_store"]
    for email, role in (("ed@line.org", "editor"), ("pat@line.org", "publisher"), ("sam@line.org", "publisher")):
        store.add_account(email, email.split("@")[0], role, [], PASSWORD)
    with serving(app) as base:
        yield app, base




def sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form:has(#email) button[type=submit]")
    page.wait_for_url(base + "/staff/")


def sign_out(page) -> None:
    page.click("text=Sign out")


def resident_reads(app, words: str, seconds: float = 10.0) -> str:
    """A resident's first text, signed as Twilio signs it, until the answer has `words`."""
    twilio = Twilio(app.test_client(), base="http://localhost")
    deadline = time.monotonic() + seconds
    while True:
        answer = twilio.post("/sms", sms_params(next(NUMBERS), "hi"))
        assert answer.status_code == 200
        body = answer.get_data(as_text=True)
        if words in body or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def test_edit_review_publish_and_restore(line, page, screenshots):
    app, base = line
    expect = sync_api.expect
    assert OLD in resident_reads(app, OLD)

    sign_in(page, base, "ed@line.org")
    screenshots(page, "edit-home")
    page.click("nav >> text=Edit")
    screenshots(page, "edit-edit")
    page.click("#menu-main >> h3 >> text=Main menu")
    text = page.input_value("#f-text")
    page.fill("#f-text", text.replace(OLD, "Information for {nobody}."))
    expect(page.locator("#p-text")).to_contain_text("nobody", timeout=15000)  # the check, beside the field
    page.fill("#f-text", text.replace(OLD, NEW))
    expect(page.locator("#check-status")).to_contain_text("No errors", timeout=15000)
    expect(page.locator("#costs")).to_contain_text("Español")
    screenshots(page, "edit-edit-node")
    page.click("text=Save in my draft")
    expect(page.locator("#saved")).to_be_visible()

    page.click("#saved >> text=Try the line with your draft")
    page.select_option("#lang", "en")
    expect(page.locator(".msg.line").last).to_contain_text(NEW)
    screenshots(page, "edit-try-draft")

    page.click("nav >> text=Edit")
    page.click("text=Helpers")
    page.fill("#f-phone", NEW_PHONE)
    page.fill("#f-dial", "+13126601370")
    expect(page.locator("#check-status")).to_contain_text("No errors", timeout=15000)
    screenshots(page, "edit-edit-service")
    page.click("text=Save in my draft")
    expect(page.locator("#saved")).to_be_visible()

    page.click("nav >> text=Edit")
    page.fill("#reason", "Chicago residents, and the helpers' new number")
    page.click("text=Ask a publisher to review it")
    expect(page.locator("#status")).to_contain_text("In review")
    sign_out(page)

    sign_in(page, base, "pat@line.org")
    page.click("nav >> text=Review")
    screenshots(page, "edit-review-list")
    page.click("#drafts tbody a >> nth=0")
    english_sms = page.locator(".difference[data-lang=en][data-channel=SMS]").first
    expect(english_sms.locator(".after")).to_contain_text(NEW)
    expect(english_sms.locator(".before")).to_contain_text(OLD)
    spanish_whatsapp = page.locator("#proof-help_line .difference[data-lang=es][data-channel=WhatsApp]")
    expect(spanish_whatsapp.locator(".after")).to_contain_text(NEW_PHONE)
    expect(spanish_whatsapp.locator(".before")).to_contain_text(OLD_PHONE)
    expect(page.locator("#waits")).to_contain_text("a publisher other than ed@line.org approves it")
    screenshots(page, "edit-review-draft")
    page.click("#approve")
    expect(page.locator("#status")).to_contain_text("approved by pat@line.org")
    page.click("#publish")
    expect(page.locator("#status")).to_contain_text("published as revision 2")
    assert NEW in resident_reads(app, NEW)

    page.click("text=Every published change")
    page.fill("#why-1", "the helpers' number is not confirmed yet")
    page.click("#history tr:has(#why-1) button")
    expect(page.locator("#failed")).to_contain_text("a publisher other than its author pat@line.org")
    screenshots(page, "edit-history")
    sign_out(page)

    sign_in(page, base, "sam@line.org")
    page.click("nav >> text=Review")
    page.click("#drafts tbody a >> nth=0")
    expect(page.locator("#status")).to_contain_text("restore revision 1")
    page.click("#approve")
    page.click("#publish")
    expect(page.locator("#status")).to_contain_text("published as revision 3")
    assert OLD in resident_reads(app, OLD)
