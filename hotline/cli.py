"""`hotline`: commands for operators and staff, thin wrappers over the parts' functions."""
from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface as Pybabel

from hotline import config as settings
from hotline import gsm
from hotline.content import Content, load_content
from hotline.engine import Session
from hotline.flow import FlowError
from hotline.i18n import SOURCE, catalog_path, read_locales


def _content() -> Content:
    cfg = settings.read()
    try:
        return load_content(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]))
    except FlowError as exc:
        raise click.ClickException(f"the flows have errors:\n{exc}") from None


@click.group()
def main() -> None:
    """hotline: a multilingual SMS and voice information line."""


@main.command()
@click.option("--dev", is_flag=True, help="Development mode: accept unsigned webhooks (never on a public number).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int, show_default="$PORT or 5000")
def serve(dev: bool, host: str, port: int) -> None:
    """Start the line on this machine (embedded Redis unless REDIS_URL is set).

    Production runs gunicorn from the Procfile instead."""
    from hotline.web import create_app

    app = create_app({"DEV": True} if dev else None)
    click.echo(f"hotline on http://{host}:{port}  (SMS webhook /sms, voice /voice, fallback /fallback)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--channel", type=click.Choice(["sms", "voice"]), default="sms", show_default=True)
@click.option("--lang", default=None, help="Start in this language (as if the resident chose it).")
def simulate(channel: str, lang: str | None) -> None:
    """Read a resident's inputs line by line from standard input and print what they receive.

    SMS: type texts. Voice: type digits (1, *, #), `say: words`, or an empty line for silence.
    Needs no Twilio account and no Redis."""
    content = _content()
    if lang and lang not in content.offered:
        raise click.ClickException(f"{lang} is not offered; offered: {', '.join(content.offered)}")
    if channel == "voice":
        from hotline.voice import simulate as simulate_voice

        simulate_voice(content, lang, sys.stdin, click.echo)
        return
    from hotline import sms

    cfg = settings.read()
    options = sms.SmsSettings(short_code=bool(cfg["SMS_SHORT_CODE"]), budget=int(cfg["SMS_SEGMENTS"]))
    session = Session(lang=lang) if lang else None
    if session:
        _print_sms(sms.render(content, sms.step(content.flow, session, sms.Start(lang))[1], options)[0])
    for raw in sys.stdin:
        text = raw.rstrip("\n")
        click.echo(f"> {text}")
        answer = sms.answer(content, session, text, options)
        session = answer.session
        if not answer.texts:
            click.echo("(no reply)" + (" - conversation ended" if answer.stopped else ""))
        for body in answer.texts:
            _print_sms(body)


def _print_sms(body: str) -> None:
    click.echo(f"--- {gsm.encoding(body)}, {gsm.segments(body)} segment(s), {len(body)} characters ---")
    click.echo(body)
    click.echo("")


@main.group()
def i18n() -> None:
    """Translation catalogs: extract, update, compile, status."""


def _paths() -> tuple[Path, Path]:
    cfg = settings.read()
    return Path(cfg["TRANSLATIONS"]), settings.ROOT


def _pybabel(*args: str) -> None:
    Pybabel().run(["pybabel", "-q", *args])


@i18n.command()
def extract() -> None:
    """Collect every resident-facing string of flows/ and the code into messages.pot."""
    translations, root = _paths()
    with contextlib.chdir(root):  # locations in the catalogs stay relative: flows/main.yaml:13
        _pybabel("extract", "-F", "babel.cfg", "-o", str(translations / "messages.pot"),
                 "--project", "hotline", "--sort-by-file", "-c", "NOTE", "--width", "79", ".")
    click.echo(f"wrote {translations / 'messages.pot'}")


@i18n.command()
@click.option("--lang", "tags", multiple=True, help="Only these languages (default: every one in locales.yaml).")
def update(tags: tuple[str, ...]) -> None:
    """Merge messages.pot into each catalog; changed English text turns its entry fuzzy.
    A language with no catalog yet gets a new one."""
    translations, _root = _paths()
    pot = translations / "messages.pot"
    for tag in tags or tuple(read_locales(translations)):
        if tag == SOURCE:
            continue
        path = catalog_path(translations, tag)
        action = "update" if path.exists() else "init"
        _pybabel(action, "-i", str(pot), "-d", str(translations), "-l", tag.replace("-", "_"), "--width", "79")
        click.echo(f"{action}: {path}")


@i18n.command()
def compile() -> None:
    """Write .mo files (fuzzy entries are left out, as the line does)."""
    translations, _root = _paths()
    _pybabel("compile", "-d", str(translations), "--statistics")
