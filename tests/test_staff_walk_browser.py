"""The "<5 minutes for someone who has never seen YAML" walk, in a real browser on the line's
own content served from the store: from the staff home page alone (links and buttons, no
address typed), an editor finds a sentence by a few of its words, corrects it and asks for
review; a publisher finds the change waiting on their home page, approves it and publishes
it; the line then serves it. Each step's clicks and typed fields are counted and printed
with the time the automated walk took (`-s` shows them; README, "Correcting a sentence"),
and every page is saved as a screenshot."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.staff_screens import needs_chromium
from tests.test_staff_browser import serving

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
pytestmark = needs_chromium
PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[1]
OLD = "No one can be denied City services because of their status."
NEW = "No one can be refused City services because of their immigration status."


class Walk:
    """Each step with the clicks and typing it took, as a person would do them."""

    def __init__(self, page, screenshots) -> None:
        self.page, self.screenshots, self.steps = page, screenshots, []
        self.started = time.monotonic()

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.steps[-1][1] += 1

    def type(self, selector: str, text: str) -> None:
        self.page.fill(selector, text)
        self.steps[-1][2] += 1

    def step(self, name: str) -> None:
        self.steps.append([name, 0, 0, time.monotonic()])
        self.screenshots(self.page, f"walk-{len(self.steps)}")

    def sign_in(self, who: str, email: str, base: str) -> None:
        self.step(f"{who} signs in")
        self.type("#email", email)
        self.type("#password", PASSWORD)
        self.click("form:has(#email) button[type=submit]")
        self.page.wait_for_url(base + "/staff/")

    def report(self) -> str:
        rows = [f"{i}. {name}: {clicks} click(s), {typed} field(s) typed" for i, (name, clicks, typed, _) in
                enumerate(self.steps, 1)]
        return "\n".join([*rows, f"{sum(s[1] for s in self.steps)} clicks, {sum(s[2] for s in self.steps)} fields, "
                          f"{time.monotonic() - self.started:.0f} s for the automated walk"])


def test_a_sentence_is_corrected_and_published_from_the_staff_home_page_alone(make_app, tmp_path, page, screenshots):
    app = make_app(CONTENT="store", INSTANCE=str(tmp_path / "instance"), FLOWS=str(ROOT / "flows"),
                   TRANSLATIONS=str(ROOT / "translations"), PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1",
                   RELOAD_INTERVAL=0.2)
    store = app.extensions["hotline_store"]
    for email, role in (("ed@line.org", "editor"), ("pat@line.org", "publisher")):
        store.add_account(email, email.split("@")[0], role, [], PASSWORD)
    expect = sync_api.expect
    page.set_default_timeout(120_000)  # the real content's check and proofs, on a shared machine
    expect.set_options(timeout=120_000)
    walk = Walk(page, screenshots)
    with serving(app) as base:
        page.goto(base + "/staff/login")
        walk.sign_in("the editor", "ed@line.org", base)

        walk.step("on the home page, finds the sentence by a few of its words")
        walk.type("#start #find-words", "denied city services")
        walk.click("#start button:has-text('Find')")
        expect(page.locator("#found li", has_text="Welcoming City Ordinance").locator("mark")).to_have_text("denied")

        walk.step("opens the page that holds it")
        walk.click("#found a:has-text('Welcoming City Ordinance')")
        text = page.input_value("#f-text")
        assert OLD in text

        walk.step("corrects the sentence and saves it in their draft")
        walk.type("#f-text", text.replace(OLD, NEW))
        expect(page.locator("#check-status")).to_contain_text("No errors")
        walk.click("button:has-text('Save in my draft')")
        expect(page.locator("#saved")).to_be_visible()

        walk.step("asks a publisher to review it, saying why")
        walk.click("#to-review")
        walk.type("#reason", "Plainer: 'refused', and which status")
        walk.click("button:has-text('Ask a publisher to review it')")
        expect(page.locator("#status")).to_contain_text("In review")
        walk.click("text=Sign out")

        walk.sign_in("the publisher", "pat@line.org", base)

        walk.step("on the home page, sees the change waiting and opens it")
        expect(page.locator("#waiting")).to_contain_text("1 change waits for a publisher")
        walk.click("#waiting a:has-text('Review and publish')")
        walk.click("#drafts tbody a >> nth=0")
        english = page.locator("#proof-wco .difference[data-lang=en][data-channel=SMS]")
        expect(english.locator(".after")).to_contain_text("refused")

        walk.step("approves and publishes it")
        walk.click("#approve")
        expect(page.locator("#status")).to_contain_text("approved by pat@line.org")
        walk.click("#publish")
        expect(page.locator("#status")).to_contain_text("published as revision 2")
        walk.step("published")

        deadline = time.monotonic() + 15  # the loader takes up a publish within about a second
        while NEW not in app.extensions["hotline"].content.flow.nodes["wco"].text and time.monotonic() < deadline:
            time.sleep(0.2)
        assert " ".join(NEW.split()) in " ".join(app.extensions["hotline"].content.flow.nodes["wco"].text.split())
    print("\n" + walk.report())
