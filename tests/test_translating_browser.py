"""The translator's workspace in a real browser (Debian's Chromium through Playwright, as
tests/test_staff_browser.py drives it), on the small fixture flow served from the store: a
Polish translator sees a string whose English changed, with the old and the new English,
translates it and asks for review; a second Polish speaker signs it on the translator's
draft; a publisher publishes it alone (a translation of live English), the review with it;
a resident's signed text in Polish gets the new words. Screenshots at phone and desktop widths are saved
in the test's tmp folder."""
from __future__ import annotations

import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from hotline.channels import gsm
from hotline.staff.translating import queue
from hotline.store.store import IN_REVIEW
from tests.conftest import sign, sms_params
from tests.staff_screens import PHONE, needs_chromium
from tests.store_fixtures import SMALL
from tests.test_staff_browser import serving
from tests.translating_fixtures import NEW, OLD, english_changed, polish, translated

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
pytestmark = needs_chromium
PASSWORD = "correct horse battery staple"
POLISH = "Zadzwoń pod {helpers} po bezpłatną pomoc, dzień i noc."


@pytest.fixture
def line(make_app, tmp_path):
    """The app serving the store's published revision: Polish translated, then the help
    line's English changed (approved by a second publisher, as a fact needs)."""
    app = make_app(CONTENT="store", FLOWS=str(SMALL / "flows"), TRANSLATIONS=str(SMALL / "translations"),
                   INSTANCE=str(tmp_path / "instance"), PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1",
                   RELOAD_INTERVAL=0.2)
    store = app.extensions["hotline_store"]
    for email, role, languages in (("tom@line.org", "translator", ["pl"]), ("ula@line.org", "translator", ["pl"]),
                                   ("pat@line.org", "publisher", []), ("quinn@line.org", "publisher", [])):
        store.add_account(email, email[:3], role, languages, PASSWORD)
    draft = store.import_files(english_changed(translated(store.files(1))), "pat@line.org", "Polish; help line reworded")
    store.approve(draft.id, "quinn@line.org")
    store.publish(draft.id, "pat@line.org")
    with serving(app) as base:
        yield store, base




def signed_in(browser, base: str, email: str):
    page = browser.new_page(viewport=PHONE)
    page.goto(base + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in') >> nth=0")
    page.wait_for_url(base + "/staff/")
    return page


def resident_reads(base: str, words: str, number: str) -> str:
    """What a resident texting in Polish gets on the help line, once it holds `words`."""
    def text(body: str) -> str:
        params = sms_params(number, body)
        request = urllib.request.Request(base + "/sms", urllib.parse.urlencode(params).encode(),
                                         {"X-Twilio-Signature": sign(base + "/sms", params)})
        with urllib.request.urlopen(request, timeout=10) as response:
            return "\n".join(m.text or "" for m in ET.fromstring(response.read()).iter("Message"))

    deadline = time.monotonic() + 15  # the loader thread takes up a publish within about a second
    while True:
        for body in ("LANGUAGE", "3"):
            text(body)
        reply = text("2")
        if words in reply or time.monotonic() > deadline:
            return reply
        time.sleep(0.2)


def test_a_polish_translation_of_changed_english_is_translated_reviewed_and_published(line, browser, screenshots):
    store, base = line
    expect = sync_api.expect

    tom = signed_in(browser, base, "tom@line.org")
    tom.goto(base + "/staff/translate/")
    expect(tom.locator("a", has_text="Spanish")).to_have_count(0)
    screenshots(tom, "translate-languages")
    tom.click("a:has-text('Polski')")
    changed = tom.locator("#changed")
    for words in (OLD, NEW, polish(OLD)):
        expect(changed).to_contain_text(words)
    expect(changed).to_contain_text("Old English")
    expect(tom.locator("#unreviewed")).to_be_visible()
    screenshots(tom, "translate-queue")

    tom.click("#changed a:has-text('Help line: text')")
    expect(tom.locator("#english")).to_have_text(NEW)
    tom.fill("#translation", "Zadzwoń pod {helper} po pomoc.")
    expect(tom.locator("#placeholders")).to_contain_text("lacks {helpers}")
    tom.fill("#translation", POLISH)
    expect(tom.locator("#placeholders")).to_be_hidden()
    expect(tom.locator("#length")).to_contain_text("1 SMS segment (GSM-7")  # Polish folds into GSM-7
    screenshots(tom, "translate-string")
    tom.click("button:has-text('Save in my draft')")
    expect(tom.locator(".notice")).to_contain_text("Saved in your draft")

    tom.goto(base + "/staff/translate/pl")
    tom.fill("#reason", "Help line: the new English in Polish")
    tom.click("button:has-text('Ask for review')")
    expect(tom.locator("h1")).to_contain_text("waits for a publisher")
    (asked,) = [d for d in store.drafts() if d.author == "tom@line.org"]
    assert asked.status == IN_REVIEW

    ula = signed_in(browser, base, "ula@line.org")  # a second speaker signs it on tom's draft, before publishing
    ula.goto(base + "/staff/translate/pl")
    waiting = ula.locator("#asked li", has_text="Help line: text")
    for words in (OLD, NEW, POLISH):
        expect(waiting).to_contain_text(words)
    screenshots(ula, "translate-sign-draft")
    waiting.locator("button:has-text('Sign as reviewed')").click()
    expect(ula.locator("#asked .notice")).to_contain_text("Your review is saved on draft")
    expect(ula.locator("#asked li", has_text="Help line: text")).to_contain_text("Reviewed by ula@line.org")

    pat = signed_in(browser, base, "pat@line.org")  # one publisher: a translation of English already live
    pat.goto(base + f"/staff/review/{asked.id}")
    pat.click("#publish")
    expect(pat.locator("#status")).to_contain_text("published as revision")

    served = queue.build(store.files(store.published_number()), "pl").find(queue.string_id(("help_line", NEW)))
    assert served is not None and served.state == queue.REVIEWED and served.translation == POLISH
    assert served.review is not None and served.review.by == "ula@line.org"
    expected = gsm.fold(POLISH.split("{")[0].strip())
    assert expected in resident_reads(base, expected, "+13125550188")
    ula.goto(base + "/staff/translate/pl")
    expect(ula.locator("#reviewed li", has_text="Help line: text")).to_contain_text("Reviewed by ula@line.org")
    screenshots(ula, "translate-reviewed")

    tom.goto(base + "/staff/translate/pl/glossary")
    tom.locator("input[name=english]").first.fill("removal order")
    tom.locator("input[name=use]").first.fill("nakaz deportacji")
    tom.click("button:has-text('Save in my draft')")
    expect(tom.locator(".notice")).to_contain_text("Saved in your draft")
    expect(tom.locator("input[value='nakaz deportacji']")).to_have_count(1)
    screenshots(tom, "translate-glossary")
