"""The staff simulator in a real browser: Debian's headless Chromium, driven by Playwright,
against the app served on 127.0.0.1. Signs in with the token, chooses Spanish, walks to the
Welcoming City Ordinance page by SMS, listens to it by phone and reads it on WhatsApp."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hotline.channels import gsm
from hotline.channels.render import paragraphs, title

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed: apt-get install chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STAFF = "staff-browser-token-0123456789"


@pytest.fixture
def served(make_app):
    """The app on a free port of 127.0.0.1, for as long as the test runs."""
    app = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL=None)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser.new_page(viewport={"width": 390, "height": 844})  # a phone's width
        finally:
            browser.close()


def test_walk_to_a_rights_page_in_spanish(served, page, tmp_path):
    app, base = served
    content = app.extensions["hotline"].content
    spanish, locale = content.texts_for("es"), content.locales["es"]
    wco = content.flow.nodes["wco"]
    expect = sync_api.expect
    replies = page.locator(".msg.line")

    page.goto(base + "/staff/")
    assert page.url == base + "/staff/login"
    page.fill("#token", "not-the-token")
    page.click("text=Sign in >> nth=-1")
    expect(page.locator(".error")).to_be_visible()
    page.fill("#token", STAFF)
    page.click("text=Sign in >> nth=-1")
    page.wait_for_url(base + "/staff/")

    page.select_option("#lang", "es")
    expect(replies.last).to_contain_text(title(spanish, content.flow.nodes["rights_chicago"]))
    for key in ("1", "1"):
        page.fill("#sms-input", key)
        page.press("#sms-input", "Enter")
    first = paragraphs(spanish, wco)[0]
    expect(replies.last).to_contain_text(gsm.fold(first) if locale.folds else first)
    expect(page.locator(".msg.line small").last).to_contain_text("GSM-7")
    expect(page.locator("#node-link")).to_have_attribute("href", "/staff/node/wco")
    page.screenshot(path=str(tmp_path / "sms.png"), full_page=True)

    page.check("input[value=voice]")
    expect(replies.filter(has_text=title(spanish, content.flow.nodes["rights_chicago"]))).to_have_count(1)
    page.click("[data-key='1']")
    expect(page.locator("#node-link")).to_have_attribute("href", "/staff/node/rights_chicago")
    page.click("[data-key='1']")
    expect(replies.filter(has_text=first)).to_have_count(1)
    expect(replies.filter(has_text=first).locator("small")).to_have_text(f"{locale.say_language} · {locale.voice}")
    page.screenshot(path=str(tmp_path / "voice.png"), full_page=True)

    page.check("input[value=whatsapp]")
    expect(replies.last).to_contain_text(f"*{title(spanish, content.flow.nodes['main'])}*")  # accents kept
    for key in ("1", "1"):
        page.fill("#sms-input", key)
        page.press("#sms-input", "Enter")
    expect(replies.last).to_contain_text(paragraphs(spanish, wco)[-1])  # the whole page, unfolded
    expect(page.locator(".msg.line small").last).to_contain_text("one WhatsApp message")
    expect(page.locator("#phone-status")).to_contain_text("WhatsApp")
    page.screenshot(path=str(tmp_path / "whatsapp.png"), full_page=True)
