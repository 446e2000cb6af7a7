"""The staff simulator in a real browser: Debian's headless Chromium, driven by Playwright,
against the app served on 127.0.0.1. Signs in with the token, chooses Spanish, walks to the
Welcoming City Ordinance page by SMS, listens to it by phone and reads it on WhatsApp; and
tries an edit on disk as a draft, with its banner, before it is live."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from hotline.channels import gsm
from hotline.channels.render import paragraphs, title
from tests.staff_screens import needs_chromium

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
pytestmark = needs_chromium
STAFF = "staff-browser-token-0123456789"


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, for as long as the block runs: its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@pytest.fixture
def served(make_app):
    app = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1")  # plain http (Chromium keeps Secure cookies for 127.0.0.1)
    with serving(app) as base:
        yield app, base



def test_walk_to_a_page_in_spanish(served, page, tmp_path):
    app, base = served
    content = app.extensions["hotline"].content
    spanish, locale = content.texts_for("es"), content.locales["es"]
    wco = content.flow.nodes["wages"]
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
    expect(replies.last).to_contain_text(title(spanish, content.flow.nodes["at_work"]))
    for key in ("4", "1"):
        page.fill("#sms-input", key)
        page.press("#sms-input", "Enter")
    first = paragraphs(spanish, wco)[0]
    expect(replies.last).to_contain_text(gsm.fold(first) if locale.folds else first)
    expect(page.locator(".msg.line small").last).to_contain_text("GSM-7")
    expect(page.locator("#node-link")).to_have_attribute("href", "/staff/node/wages")
    page.screenshot(path=str(tmp_path / "sms.png"), full_page=True)

    page.check("input[value=voice]")
    expect(replies.filter(has_text=title(spanish, content.flow.nodes["at_work"]))).to_have_count(1)
    page.click("[data-key='4']")
    expect(page.locator("#node-link")).to_have_attribute("href", "/staff/node/at_work")
    page.click("[data-key='1']")
    expect(replies.filter(has_text=first)).to_have_count(1)
    expect(replies.filter(has_text=first).locator("small")).to_have_text(f"{locale.say_language} · {locale.voice}")
    page.screenshot(path=str(tmp_path / "voice.png"), full_page=True)

    page.check("input[value=whatsapp]")
    expect(replies.last).to_contain_text(f"*{title(spanish, content.flow.nodes['main'])}*")  # accents kept
    for key in ("4", "1"):
        page.fill("#sms-input", key)
        page.press("#sms-input", "Enter")
    expect(replies.last).to_contain_text(paragraphs(spanish, wco)[-1])  # the whole page, unfolded
    expect(page.locator(".msg.line small").last).to_contain_text("one WhatsApp message")
    expect(page.locator("#phone-status")).to_contain_text("WhatsApp")
    page.screenshot(path=str(tmp_path / "whatsapp.png"), full_page=True)

@pytest.fixture
def served_copy(make_app, line):
    """The app on copies of the flows and catalogs that staff edit; the live line looks for
    edits only once an hour here, so an edit stays a draft for the whole test."""
    flows, translations = line / "flows", line / "translations"
    app = make_app(STAFF_TOKEN=STAFF, PUBLIC_URL=None, ACCEPTED_HOSTS="127.0.0.1", FLOWS=str(flows),
                   TRANSLATIONS=str(translations),
                   RELOAD_INTERVAL=3600)
    with serving(app) as base:
        yield flows, base


def test_a_draft_edit_is_shown_before_it_is_live(served_copy, page, tmp_path):
    flows, base = served_copy
    old, new = "Stay calm. Choose a topic.", "Stay calm and choose a topic."
    main_yaml = flows / "main.yaml"
    main_yaml.write_text(main_yaml.read_text().replace(old, new))
    expect = sync_api.expect
    replies = page.locator(".msg.line")

    page.goto(base + "/staff/login")
    page.fill("#token", STAFF)
    page.click("text=Sign in >> nth=-1")
    page.wait_for_url(base + "/staff/")
    expect(page.locator("#draft-banner")).to_have_count(0)
    expect(page.locator("#changes")).to_contain_text("'If ICE comes': text changed")

    page.select_option("#lang", "en")  # live: residents still get the old sentence
    page.fill("#sms-input", "3")
    page.press("#sms-input", "Enter")
    expect(replies.last).to_contain_text(old)

    page.click("#try-draft")
    expect(page.locator("#draft-banner")).to_be_visible()
    expect(page.locator("#draft-banner")).to_contain_text("residents do not get yet")
    expect(page.locator("#fallback")).to_contain_text("Polski")  # Polish would get that string in English
    page.select_option("#lang", "pl")
    page.fill("#sms-input", "3")
    page.press("#sms-input", "Enter")
    expect(replies.last).to_contain_text(new)
    page.screenshot(path=str(tmp_path / "draft.png"), full_page=True)

    page.click("#node-link")
    expect(page.locator("#draft-banner")).to_be_visible()
    polish = page.locator("article", has=page.locator("#lang-pl"))
    expect(polish).to_contain_text("in English: changed in English, not translated yet")
    expect(polish).to_contain_text(new)
