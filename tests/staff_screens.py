"""The staff pages in a real browser: Debian's Chromium through Playwright (never a browser
Playwright downloads), as fixtures (`browser`, and `page`: a phone-sized page in it), and
screenshots for people to look at: each page at a phone's width and a desktop's, saved as
`<name>-phone.png` and `<name>-desktop.png` in the folder `HOTLINE_SCREENSHOTS` names (CI
sets `screenshots/` in the clone), else the test's own tmp folder: `screenshots(page, "accounts")`."""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A browser test's marks (its module's `pytestmark`): a system test, skipped where Chromium is missing.
needs_chromium = [pytest.mark.system,
                  pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed: apt-get install chromium")]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


def folder(tmp_path: Path) -> Path:
    chosen = os.environ.get("HOTLINE_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(page, name: str, where: Path) -> list[Path]:
    """The page as it is now at both widths (the whole page, scrolled), then back at the
    width it had; the paths written."""
    before = page.viewport_size
    saved = []
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        path = where / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    if before:
        page.set_viewport_size(before)
    return saved


@pytest.fixture
def screenshots(tmp_path) -> Callable[..., list[Path]]:
    where = folder(tmp_path)
    return lambda page, name: save(page, name, where)


@pytest.fixture
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: pip install playwright (the Python package only)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser):
    return browser.new_page(viewport=PHONE)
