"""`hotline`: commands for operators and staff, thin wrappers over the parts' functions."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface as Pybabel
from babel.messages.pofile import write_po

from hotline import config as settings
from hotline import graph, gsm
from hotline.content import Content, load_content
from hotline.engine import Session, Start, step
from hotline.flow import FlowError
from hotline.i18n import SOURCE, catalog_path, extract_catalog, read_locales


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

    options = sms.SmsSettings.from_config(settings.read())
    session = Session(lang=lang) if lang else None
    if session:
        _print_sms(sms.render(content, step(content.flow, session, Start(lang))[1], options)[0])
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


@main.command()
@click.option("--script", "tag", default=None, help="List the prompt files this language still needs recorded.")
def voices(tag: str | None) -> None:
    """Which languages callers can hear: a Twilio voice, recorded prompts, or SMS only."""
    from hotline import voice

    content = _content()
    options = voice.VoiceSettings.from_config(settings.read())
    if tag is None:
        for each in content.locales:
            click.echo(voice.describe(content, options, each))
        return
    if tag not in content.locales:
        raise click.ClickException(f"unknown language {tag}")
    script = voice.recording_script(content, tag)
    for key in voice.missing_recordings(content, options, tag):
        click.echo(f"{tag}/{key}.mp3: {script[key]}")


@main.group()
def i18n() -> None:
    """Translation catalogs: extract, update, compile, status."""


def _translations() -> Path:
    return Path(settings.read()["TRANSLATIONS"])


def _pybabel(*args: str) -> None:
    Pybabel().run(["pybabel", "-q", *args])


@i18n.command()
def extract() -> None:
    """Collect every resident-facing string of the flows and the code into messages.pot."""
    _content()  # a broken flow would give a template missing its strings: stop here instead
    cfg = settings.read()
    pot = Path(cfg["TRANSLATIONS"]) / "messages.pot"
    catalog = extract_catalog(Path(cfg["FLOWS"]), settings.ROOT / "hotline")
    with pot.open("wb") as fh:
        write_po(fh, catalog, width=79, sort_by_file=True)
    click.echo(f"wrote {pot} ({len(catalog)} messages)")


@i18n.command()
@click.option("--lang", "tags", multiple=True, help="Only these languages (default: every one in locales.yaml).")
def update(tags: tuple[str, ...]) -> None:
    """Merge messages.pot into each catalog; changed English text turns its entry fuzzy.
    A language with no catalog yet gets a new one."""
    translations = _translations()
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
    translations = _translations()
    _pybabel("compile", "-d", str(translations), "--statistics")


@i18n.command()
@click.option("--unreviewed", is_flag=True, help="Also list the entries no fluent speaker has reviewed yet.")
def status(unreviewed: bool) -> None:
    """Per language: total, translated, fuzzy, missing, and whether SMS and voice offer it."""
    from hotline.voice import heard_languages

    content = _content()
    voice = heard_languages(content)
    click.echo(f"{'language':<22}{'total':>6}{'done':>6}{'fuzzy':>6}{'miss':>6}  {'SMS':<4}{'voice':<6}reviewed by")
    for tag, cover in content.coverage.items():
        name = f"{tag} {content.locales[tag].name}"
        sms_ok = "yes" if tag in content.offered else "no"
        voice_ok = "yes" if tag in voice else "no"
        click.echo(f"{name:<22}{cover.total:>6}{cover.translated:>6}{cover.fuzzy:>6}{cover.missing:>6}  "
                   f"{sms_ok:<4}{voice_ok:<6}{cover.reviewer or '(not yet reviewed by a fluent speaker)'}")
        if unreviewed and tag != SOURCE and not cover.reviewer and cover.translated:
            click.echo(f"    all {cover.translated} translated entries await review")


@i18n.command("install-model")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def install_model(package: Path) -> None:
    """Install an Argos Translate package (.argosmodel) for `hotline i18n draft`."""
    from hotline import mt

    try:
        folder = mt.install_package(package)
    except mt.MTError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"installed {folder}")


@i18n.command()
@click.option("--lang", "tag", required=True, help="The catalog to fill, e.g. pl.")
def draft(tag: str) -> None:
    """Fill a catalog's missing entries with offline machine drafts, marked fuzzy for review.

    Fuzzy entries are never served: a fluent speaker reviews each and removes the flag."""
    from hotline import mt

    translations = _translations()
    path = catalog_path(translations, tag)
    if not path.exists():
        raise click.ClickException(f"no catalog for {tag}: run `hotline i18n update --lang {tag}` first")
    try:
        report = mt.draft_po_file(path, tag)
    except mt.MTError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


@main.command("stats")
@click.option("--days", default=7, show_default=True, help="How many days back, today included.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for a spreadsheet.")
def stats_command(days: int, as_csv: bool) -> None:
    """How many conversations reached each menu and page, and where people left the line,
    per day, channel and language. Counts under 5 show as <5."""
    import datetime as dt

    from hotline import stats
    from hotline.sessions import connect

    cfg = settings.read()
    client = connect(cfg["REDIS_URL"], settings.INSTANCE, float(cfg["REDIS_TIMEOUT"]))
    today = dt.datetime.now(dt.UTC).date()
    rows = stats.read(client, (today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)))
    if as_csv:
        click.echo(stats.to_csv(rows), nl=False)
        return
    if not rows:
        click.echo("no conversations counted in this period")
        return
    click.echo(f"{'day':<12}{'channel':<8}{'lang':<9}{'node':<26}{'reached':>8}{'left':>6}{'by words':>9}")
    for r in rows:
        click.echo(f"{r.day:<12}{r.channel:<8}{r.lang:<9}{r.node:<26}{stats.shown(r.reached):>8}{stats.shown(r.left):>6}"
                   f"{stats.shown(r.by_words):>9}")


@main.command()
@click.option("--seconds", default=20.0, show_default=True, help="How long each app is driven.")
@click.option("--concurrency", default=16, show_default=True, help="Residents texting and calling at once.")
@click.option("--voice-share", default=0.3, show_default=True, help="Share of conversations that are calls.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON.")
def bench(seconds: float, concurrency: int, voice_share: float, as_json: bool) -> None:
    """Drive the line (gunicorn, as the Procfile runs it) and a bare Flask ceiling with the
    same simulated residents; report throughput, latency, Redis use, memory, start-up."""
    import json

    from hotline import bench as benchmark

    try:
        report = benchmark.run(seconds, concurrency, voice_share)
    except benchmark.BenchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else benchmark.render(report))
    if report["line"]["errors"] or report["ceiling"]["errors"]:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON, for tools.")
def check(as_json: bool) -> None:
    """Check flows, services, catalogs, SMS cost, voice and the flow tests in flows/tests/.

    Prints every problem with file, line and node; exits 1 when any is an error."""
    from hotline import check as checks

    cfg = settings.read()
    report = checks.run(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]), cfg)
    click.echo(checks.as_json(report) if as_json else checks.as_text(report))
    sys.exit(1 if report.errors else 0)


@main.command("test")
def test_command() -> None:
    """Run only the flow tests in flows/tests/ (conversations the line must keep giving)."""
    from hotline import flowtests
    from hotline.sms import SmsSettings

    cfg = settings.read()
    folder = Path(cfg["FLOWS"]) / flowtests.FOLDER
    outcomes = flowtests.run_folder(_content(), folder, SmsSettings.from_config(cfg))
    if not outcomes:
        raise click.ClickException(f"no flow tests (*.yaml) in {folder}")
    for outcome in outcomes:
        click.echo(f"{'ok  ' if outcome.passed else 'FAIL'}  {outcome.file}  {outcome.name}")
        for problem in outcome.problems:
            click.echo("      " + str(problem).replace("\n", "\n      "))
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} of {len(outcomes)} flow tests passed")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("text", required=False)
@click.option("--lang", default=None, help="The resident's language (default: TEXT is a first text).")
@click.option("--at", "node", default=None, help="The node the resident is at (default: the main menu).")
@click.option("--eval", "labeled", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Instead: a labeled file (lang, expect, text; tests/data/understand_eval.tsv); "
                   "prints accuracy per language.")
@click.option("-v", "--verbose", is_flag=True, help="With --eval: list every text that missed.")
def understand(text: str | None, lang: str | None, node: str | None, labeled: Path | None, verbose: bool) -> None:
    """What the line would pick for a resident's TEXT and why; or, with --eval, how well it
    understands a labeled set."""
    from hotline.understand.evaluate import evaluate, read_examples, report
    from hotline.understand.explain import explain

    content = _content()
    if labeled:
        for line in report(evaluate(content, read_examples(labeled)), verbose):
            click.echo(line)
        return
    if text is None:
        raise click.UsageError("give a TEXT, or --eval FILE")
    if lang and lang not in content.offered:
        raise click.ClickException(f"{lang} is not offered; offered: {', '.join(content.offered)}")
    if node and node not in content.flow.nodes:
        raise click.ClickException(f"no node {node}")
    for line in explain(content, text, lang, node):
        click.echo(line)


@main.command("graph")
@click.option("--format", "fmt", type=click.Choice(graph.FORMATS), default="mermaid", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def graph_command(fmt: str, output: Path | None) -> None:
    """Draw the flow: every node (shape by kind) and option (edge labeled with its digit)."""
    from hotline.flow import load_flow

    try:
        text = graph.render(load_flow(Path(settings.read()["FLOWS"])), fmt)
    except FlowError as exc:
        raise click.ClickException(f"the flows have errors (hotline check):\n{exc}") from None
    except graph.GraphError as exc:
        raise click.ClickException(str(exc)) from None
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
