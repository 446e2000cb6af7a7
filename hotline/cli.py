"""`hotline`: commands for operators and staff, thin wrappers over the parts' functions."""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface as Pybabel
from babel.messages.pofile import read_po

from hotline import config as settings, simulate as simulator
from hotline.channels import NAMES, SMS, VOICE, WHATSAPP, gsm
from hotline.content import Content, load_content
from hotline.flow import FlowError
from hotline.flow.extract import flow_messages
from hotline.languages import workflow
from hotline.languages.comments import Review
from hotline.languages.entries import read_catalog
from hotline.languages.locales import LOCALES_FILE, SOURCE, catalog_path, read_locales
from hotline.languages.po import Key, po_bytes, read_po_file, write_po_file
from hotline.languages.serving import OLDER, REASONS, needed_messages
from hotline.languages.template import extract_catalog
from hotline.staff import graph

if TYPE_CHECKING:
    from hotline.store import Store


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
    from hotline import create_app

    try:
        app = create_app({"DEV": True} if dev else None)
    except RuntimeError as exc:  # a setting missing or unsafe: say which, without a traceback
        raise click.ClickException(str(exc)) from None
    click.echo(f"hotline on http://{host}:{port}  (SMS webhook /sms, voice /voice, fallback /fallback)")
    app.run(host=host, port=port, threaded=True, use_reloader=False)


@main.command()
@click.option("--channel", type=click.Choice([SMS, WHATSAPP, VOICE]), default=SMS, show_default=True)
@click.option("--lang", default=None, help="Start in this language (as if the resident chose it).")
def simulate(channel: str, lang: str | None) -> None:
    """Read a resident's inputs line by line from standard input and print what they receive.

    SMS and WhatsApp: type texts. Voice: type a key (1, *, #), `say: words` (other lines are
    words too: "12" is the words "12"), or an empty line for silence. Needs no Twilio
    account and no Redis."""
    content = _content()
    if lang and lang not in content.offered:
        raise click.ClickException(f"{lang} is not offered; offered: {', '.join(content.offered)}")
    lines = (raw.rstrip("\n") for raw in sys.stdin)
    if channel == VOICE:
        _simulate_call(content, lang, lines)
        return
    from hotline.channels import sms, whatsapp

    kind = sms.SmsSettings if channel == SMS else whatsapp.WhatsAppSettings
    for line, answer in simulator.text_turns(content, kind.from_config(settings.read()), lang, lines):
        if line is not None:
            click.echo(f"> {line}")
            if not answer.texts:
                click.echo("(no reply)" + (" - conversation ended" if answer.stopped else ""))
        for body in answer.texts:
            _print_text(body, channel)


def _simulate_call(content: Content, lang: str | None, lines: Iterator[str]) -> None:
    """Print what a caller hears, turn by turn, until the call ends or the input does."""
    from hotline.channels import calls, voice

    config = voice.VoiceSettings()
    if lang and lang not in voice.heard_languages(content, config):
        click.echo(f"{lang} cannot be heard on the voice line: {voice.describe(content, config, lang)}")
        return
    for line, heard in simulator.call_turns(content, config, lang, lines):
        if line is not None:
            click.echo(f"> {line}")
        for prompt in heard.prompts:
            if isinstance(prompt, calls.Say):
                click.echo(f"  [{prompt.language} {prompt.voice or ''}] {prompt.text}")
            elif isinstance(prompt, calls.Play):
                click.echo(f"  [play] {prompt.url}")
            elif isinstance(prompt, calls.Pause):
                click.echo("  ...")
            else:
                click.echo(f"  (dialing {prompt.number}; simulated: no answer)")
        if heard.call is None:
            click.echo("  (hangs up)\n(call ended)")
            return
        click.echo(f"  (listening: a key{', speech ' + heard.speech if heard.speech else ''})\n")


def _print_text(body: str, channel: str) -> None:
    cost = f"{gsm.encoding(body)}, {gsm.segments(body)} segment(s)" if channel == SMS else "WhatsApp, one message"
    click.echo(f"--- {cost}, {len(body)} characters ---")
    click.echo(body)
    click.echo("")


@main.command()
@click.option("--channel", type=click.Choice(["sms", "voice"]), default=None,
              help="Only this one (default: both, each headed by what to do with it).")
def fallback(channel: str | None) -> None:
    """The TwiML for Twilio's Fallback URL, to paste into a TwiML Bin: the line's apology with
    911, in English and Spanish, for texts and for calls. Served by Twilio, it answers when
    this line's host cannot (README: "Connecting a Twilio number")."""
    from hotline.channels.sms import SmsSettings
    from hotline.web.webhooks import text_apology, voice_apology

    content = _content()
    documents = {"sms": text_apology(content, SmsSettings()), "voice": voice_apology(content)}
    if channel:
        click.echo(documents[channel])
        return
    for name, where in (("sms", "Messaging, \"Primary handler fails\""), ("voice", "Voice, \"Primary handler fails\"")):
        click.echo(f"== TwiML Bin \"hotline {name} fallback\" (the number's {where}); paste the next line:")
        click.echo(documents[name])
        click.echo("")


@main.command()
@click.option("--script", "tag", default=None, help="List the prompt files this language still needs recorded.")
@click.option("--recorded", "recorded", default=None,
              help="Note that this language's recordings on disk say the script as it is now.")
def voices(tag: str | None, recorded: str | None) -> None:
    """Which languages callers can hear: a Twilio voice, recorded prompts, or SMS only."""
    from hotline.channels import voice
    from hotline.check import recordings

    content = _content()
    cfg = settings.read()
    options = voice.VoiceSettings.from_config(cfg)
    chosen = tag or recorded
    if chosen is None:
        for each in content.locales:
            click.echo(voice.describe(content, options, each))
        return
    if chosen not in content.locales:
        raise click.ClickException(f"unknown language {chosen}")
    script = voice.recording_script(content, chosen)
    folder = Path(cfg["RECORDINGS"]) / chosen
    if recorded:
        have = options.recorded.get(chosen, frozenset())
        if not have:
            raise click.ClickException(f"no recordings in {folder}")
        recordings.note_recorded(folder, script, have)
        click.echo(f"{chosen}: noted what {len(have)} recording(s) say; a later change of their text is flagged")
        return
    again = recordings.stale(script, recordings.read_manifest(folder), sorted(options.recorded.get(chosen, ())))
    for key in [*voice.missing_recordings(content, options, chosen), *again]:
        click.echo(f"{chosen}/{key}.mp3: {script[key]}" + ("  (recorded from an earlier text)" if key in again else ""))


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
    if pot.exists():  # the same strings keep their date: `update` then changes no catalog
        created, catalog.creation_date = catalog.creation_date, read_po_file(pot).creation_date
        if po_bytes(catalog) == pot.read_bytes():
            click.echo(f"{pot} is up to date ({len(catalog)} messages)")
            return
        catalog.creation_date = created
    write_po_file(pot, catalog)
    click.echo(f"wrote {pot} ({len(catalog)} messages)")


def _template(translations: Path) -> Catalog:
    pot = translations / "messages.pot"
    if not pot.exists():
        raise click.ClickException(f"no {pot}: run `hotline i18n extract` first")
    with pot.open("rb") as fh:
        return read_po(fh)


@i18n.command()
@click.option("--lang", "tags", multiple=True, help="Only these languages (default: every one in locales.yaml).")
def update(tags: tuple[str, ...]) -> None:
    """Merge messages.pot into each catalog. A changed English turns its entry fuzzy and keeps
    the English it replaced (#| msgid) for the translator; the line meanwhile serves it in
    English, or in the earlier translation when the flow marks it wording_only. A language
    with no catalog yet gets a new one."""
    translations = _translations()
    template = _template(translations)
    locales = read_locales(translations)
    unknown = [t for t in tags if t not in locales]
    if unknown:
        raise click.ClickException(f"not in {LOCALES_FILE}: {', '.join(unknown)}; add the language there first")
    for tag in tags or tuple(locales):
        if tag == SOURCE:
            continue
        path = catalog_path(translations, tag)
        if path.exists():
            catalog, action = workflow.merge(read_po_file(path), template), "update"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog, action = workflow.new_catalog(template, tag), "init"
        write_po_file(path, catalog)
        click.echo(f"{action}: {path}")
        if action == "init" and locales[tag].offered:
            click.echo(f"  {tag} is offered to residents as soon as this catalog exists, in English until translated: "
                       f"write 'offered: no' under {tag} in locales.yaml until it is translated")


@i18n.command()
def compile() -> None:
    """Write .mo files (fuzzy entries are left out, as the line does)."""
    translations = _translations()
    _pybabel("compile", "-d", str(translations), "--statistics")


def _needed(content: Content) -> list[Key]:
    return needed_messages((m.context, m.text) for m in flow_messages(content.flow))


def _names(content: Content) -> dict[Key, str]:
    """Every string the line needs -> how staff find it ('ice, text')."""
    from hotline.check.rules import string_name

    return {key: string_name(content.flow, key) for key in _needed(content)}


def _catalog_path(tag: str) -> Path:
    path = catalog_path(_translations(), tag)
    if tag == SOURCE or not path.exists():
        raise click.ClickException(f"no catalog for {tag}: run `hotline i18n update --lang {tag}` first")
    return path


@i18n.command()
@click.option("--lang", "tag", default=None, help="List this language's strings one by one, with their review.")
def status(tag: str | None) -> None:
    """Per language: strings translated, served from the earlier English (older), served in
    English, reviewed, and whether SMS and voice offer it. With --lang, every string that is
    not served translated or not reviewed, and by whom each reviewed one was reviewed."""
    from hotline.channels.voice import heard_languages

    content = _content()
    if tag:
        _status_of(content, tag)
        return
    voice = heard_languages(content)
    click.echo(f"{'language':<22}{'total':>6}{'done':>6}{'older':>6}{'Engl.':>6}{'reviewed':>9}  {'SMS':<4}voice")
    for each, cover in content.coverage.items():
        name = f"{each} {content.locales[each].name}"
        reviewed = "source" if each == SOURCE else str(cover.reviewed)
        click.echo(f"{name:<22}{cover.total:>6}{cover.translated:>6}{cover.older:>6}{cover.english:>6}"
                   f"{reviewed:>9}  {'yes' if each in content.offered else 'no':<4}"
                   f"{'yes' if each in voice else 'no'}")
    voided = {t: c.reviews_voided for t, c in content.coverage.items() if c.reviews_voided}
    if voided:
        click.echo("reviews voided by an edit since: " + ", ".join(f"{t} {n}" for t, n in voided.items()))


def _status_of(content: Content, tag: str) -> None:
    """One line per string: how it is served and its review."""
    if tag not in content.coverage:
        raise click.ClickException(f"unknown language {tag}")
    state = read_catalog(_catalog_path(tag))
    names = _names(content)
    fallback = content.coverage[tag].fallback
    for key in _needed(content):
        entry = state.entries.get(key)
        if key in fallback:
            served = fallback[key]
            how = f"{'older English' if served.how == OLDER else 'ENGLISH'}: {REASONS[served.reason]}"
        else:
            how = "translated"
        if entry and entry.review:
            review = f"reviewed by {entry.review.by}, {entry.review.on}"
        elif entry and entry.review_voided:
            review = "review voided: edited since it was reviewed"
        else:
            review = "not reviewed"
        click.echo(f"{names.get(key, key[0]):<34} {how:<60} {review}")


@i18n.command()
@click.option("--lang", "tag", required=True, help="The catalog, e.g. pl.")
@click.option("--by", "who", required=True, help="The fluent speaker who checked the translations.")
@click.argument("nodes", nargs=-1)
def review(tag: str, who: str, nodes: tuple[str, ...]) -> None:
    """Sign the translated strings of these nodes (default: all) as reviewed by WHO today.
    Editing a string's English or its translation later voids its review."""
    import datetime as dt

    path = _catalog_path(tag)
    catalog = read_po_file(path)
    signed = workflow.sign(catalog, Review(who, dt.date.today().isoformat()), nodes)
    write_po_file(path, catalog)
    click.echo(f"{tag}: {len(signed)} string(s) signed as reviewed by {who}")


@i18n.command("export")
@click.option("--lang", "tag", required=True, help="The language, e.g. pl.")
@click.option("--format", "fmt", type=click.Choice(["po", "csv"]), default="po", show_default=True,
              help="po for Poedit or Weblate, csv for a spreadsheet.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
def export(tag: str, fmt: str, output: Path | None) -> None:
    """Just what this language needs translated: every string residents now get in English
    or from an earlier English, with the earlier and the new English side by side."""
    content = _content()
    catalog = read_po_file(_catalog_path(tag))
    todos = workflow.to_translate(catalog, _template(_translations()), content.coverage[tag].fallback,
                                  _names(content))
    data = workflow.as_csv(todos).encode("utf-8") if fmt == "csv" else po_bytes(workflow.as_po(todos, catalog))
    if output:
        output.write_bytes(data)
        click.echo(f"wrote {output} ({len(todos)} string(s) to translate)")
    else:
        click.echo(data.decode("utf-8"), nl=False)


@i18n.command("import")
@click.option("--lang", "tag", required=True, help="The catalog to fill, e.g. pl.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(tag: str, file: Path) -> None:
    """Take the finished translations of an exported PO or CSV file into the catalog.
    A translation whose {placeholders} differ from its English's is refused."""
    path = _catalog_path(tag)
    catalog = read_po_file(path)
    try:
        if file.suffix.lower() == ".csv":
            found = workflow.read_csv(file.read_text(encoding="utf-8-sig"))
        else:
            found = workflow.from_po(read_po_file(file))
    except (ValueError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {file}: {exc}") from None
    report = workflow.take(catalog, found)
    if report.taken:
        write_po_file(path, catalog)
    click.echo(report.summary(_names(_content())))
    sys.exit(1 if report.refused else 0)


@i18n.command("install-model")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def install_model(package: Path) -> None:
    """Install an Argos Translate package (.argosmodel) for `hotline i18n draft`."""
    from hotline.languages.machine import argos

    try:
        folder = argos.install_package(package)
    except argos.DraftError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"installed {folder}")


@i18n.command()
@click.option("--lang", "tag", required=True, help="The catalog to fill, e.g. pl.")
def draft(tag: str) -> None:
    """Fill a catalog's missing entries with offline machine drafts, marked fuzzy for review.

    Fuzzy entries are never served: a fluent speaker reviews each and removes the flag."""
    from hotline.languages.machine import argos, drafting

    translations = _translations()
    path = catalog_path(translations, tag)
    if not path.exists():
        raise click.ClickException(f"no catalog for {tag}: run `hotline i18n update --lang {tag}` first")
    try:
        report = drafting.draft_po_file(path, tag)
    except argos.DraftError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(report.summary())


@main.command("stats")
@click.option("--days", default=7, show_default=True, help="How many days back, today included.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for a spreadsheet.")
def stats_command(days: int, as_csv: bool) -> None:
    """How many conversations reached each menu and page, and where people left the line,
    per day, channel and language. Counts under 5 show as <5."""
    import datetime as dt

    from hotline.storage import stats
    from hotline.storage.connection import connect

    cfg = settings.read()
    client = connect(cfg["REDIS_URL"], Path(cfg["INSTANCE"]), float(cfg["REDIS_TIMEOUT"]))
    today = dt.datetime.now(dt.UTC).date()
    rows = stats.read(client, (today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)))
    if as_csv:
        click.echo(stats.to_csv(rows), nl=False)
        return
    if not rows:
        click.echo("no conversations counted in this period")
        return
    click.echo(f"{'day':<12}{'channel':<10}{'lang':<9}{'node':<26}{'reached':>8}{'left':>6}{'by words':>9}")
    for r in rows:
        click.echo(f"{r.day:<12}{r.channel:<10}{r.lang:<9}{r.node:<26}{stats.shown(r.reached):>8}{stats.shown(r.left):>6}"
                   f"{stats.shown(r.by_words):>9}")
    totals = stats.conversations(rows, NAMES)
    click.echo("\nconversations by channel: " + ", ".join(f"{c} {stats.shown(n)}" for c, n in totals.items()))


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
@click.option("--attack", type=click.Choice(["trickle", "bodies"]), default="trickle", show_default=True,
              help="trickle: headers one line a second (slowloris); bodies: unsigned 250 KB forms.")
@click.option("--clients", default=10, show_default=True, help="Attacking connections at once.")
@click.option("--texts", default=30, show_default=True, help="Residents' signed texts, before and during.")
@click.option("--over", default=6.0, show_default=True, help="Seconds the texts are spread over.")
def siege(attack: str, clients: int, texts: int, over: float) -> None:
    """Start the line as the Procfile does (on 127.0.0.1) and measure residents' texts
    without and then during an attack by hostile clients. Prints JSON."""
    import json

    from hotline.bench import BenchError, siege as attacks

    try:
        report = attacks.run(attack, clients, texts, over)
    except BenchError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(json.dumps(report, indent=2))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON, for tools.")
def check(as_json: bool) -> None:
    """Check flows, services, catalogs, SMS cost, voice and the flow tests in flows/tests/.

    Prints every problem with file, line and node; exits 1 when any is an error."""
    from hotline.check.report import as_json as json_of, as_text
    from hotline.check.version import run

    cfg = settings.read()
    report = run(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]), cfg)
    click.echo(json_of(report) if as_json else as_text(report))
    sys.exit(1 if report.errors else 0)


@main.command("test")
def test_command() -> None:
    """Run only the flow tests in flows/tests/ (conversations the line must keep giving)."""
    from hotline.check import flowtests

    cfg = settings.read()
    folder = Path(cfg["FLOWS"]) / flowtests.FOLDER
    outcomes = flowtests.run_folder(_content(), folder, cfg)
    if not outcomes:
        raise click.ClickException(f"no flow tests (*.yaml) in {folder}")
    for outcome in outcomes:
        click.echo(f"{outcome.status:<4}  {outcome.file}  {outcome.name}")
        for problem in outcome.problems:
            click.echo("      " + str(problem).replace("\n", "\n      "))
    failed = sum(not o.passed for o in outcomes)
    click.echo(f"{len(outcomes) - failed} of {len(outcomes)} flow tests passed")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("text", required=False)
@click.option("--lang", default=None, help="The resident's language (default: TEXT is a first text).")
@click.option("--at", "node", default=None, help="The node the resident is at (default: the main menu).")
@click.option("--eval", "labeled", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Instead: a labeled file (tab-separated lang, expect, text, kind), "
                   "repeatable (a set and its held-out part); prints accuracy per language.")
@click.option("-v", "--verbose", is_flag=True, help="With --eval: list every text that missed.")
def understand(text: str | None, lang: str | None, node: str | None, labeled: tuple[Path, ...], verbose: bool) -> None:
    """What the line would pick for a resident's TEXT and why; or, with --eval, how well it
    understands a labeled set."""
    from hotline.understand import embedding
    from hotline.understand.evaluate import evaluate, read_examples, report
    from hotline.understand.explain import explain

    content = _content()
    missing = embedding.compute(content, Path(settings.read()["INSTANCE"]))  # as served: with the model when on
    click.echo(f"sentence embeddings: {'off (HOTLINE_EMBEDDINGS)' if not embedding.enabled() else 'on'}"
               + (f"; no vectors for {', '.join(missing)}: BM25 alone there" if embedding.enabled() and missing else ""))
    for path in labeled:
        click.echo(f"{path.name}:")
        for line in report(evaluate(content, read_examples(path)), verbose):
            click.echo(line)
    if labeled:
        return
    if text is None:
        raise click.UsageError("give a TEXT, or --eval FILE")
    if lang and lang not in content.offered:
        raise click.ClickException(f"{lang} is not offered; offered: {', '.join(content.offered)}")
    if node and node not in content.flow.nodes:
        raise click.ClickException(f"no node {node}")
    for line in explain(content, text, lang, node):
        click.echo(line)


@main.command()
@click.option("--seed", is_flag=True, help="Then write the package's seed of vectors (for the shipped content).")
def embed(seed: bool) -> None:
    """Compute the pages' sentence-embedding vectors the instance's cache lacks: what a
    running line's background job does after an edit (minutes of CPU for every page)."""
    from hotline.understand import embedding

    if not embedding.enabled():
        raise click.ClickException("sentence embeddings are off (HOTLINE_EMBEDDINGS)")
    content = _content()
    missing = embedding.compute(content, Path(settings.read()["INSTANCE"]))
    if missing:
        raise click.ClickException(f"no vectors for {', '.join(missing)} (see the log)")
    click.echo(f"every page has its vectors, in {embedding.cache_file(Path(settings.read()['INSTANCE']))}")
    if seed:
        click.echo(f"wrote {embedding.SEED}: {embedding.write_seed(content)} pages")


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


# The content store: staff accounts, revisions and drafts, the audit log ---------------------

def _store() -> Store:
    """The store the app uses (DATABASE_URL, else the instance folder's SQLite file)."""
    from hotline.store import open_store
    from hotline.store.files import files_from_dirs

    cfg = settings.read()
    shipped = files_from_dirs(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]))
    try:
        store = open_store(cfg["DATABASE_URL"], Path(cfg["INSTANCE"]), shipped, cfg)
    except Exception as exc:  # the database is down or refuses: say so, no traceback
        raise click.ClickException(f"cannot open the content store: {exc}") from None
    click.get_current_context().call_on_close(store.engine.dispose)  # its connections closed with the command
    return store


@contextmanager
def _refusals() -> Iterator[None]:
    """A refusal exits 1 with its one sentence; so does a database that fails (down, read-only)."""
    from sqlalchemy.exc import SQLAlchemyError

    from hotline.store import Refused

    try:
        yield
    except Refused as exc:
        raise click.ClickException(str(exc)) from None
    except SQLAlchemyError as exc:
        why = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise click.ClickException(f"the content store failed, nothing was changed: {why}") from None


def _languages(value: str) -> list[str]:
    return [tag.strip() for tag in value.split(",") if tag.strip()]


@main.group()
def staff() -> None:
    """Staff accounts: admin, editor, translator, publisher."""


@staff.command("add")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, help="admin, editor, translator or publisher.")
@click.option("--lang", default="", help="A translator's languages, e.g. es,pl.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of printing a link.")
@click.option("--by", default=None, help="The admin acting (default: the shell, which is trusted).")
def staff_add(email: str, name: str, role: str, lang: str, password_stdin: bool, by: str | None) -> None:
    """Add an account; prints a one-time sign-in link unless --password-stdin."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and len(password or "") < 12:
        raise click.ClickException("a password needs at least 12 characters.")
    with _refusals():
        token = _store().add_account(email, name, role, _languages(lang), password, by)
    if token:
        base = settings.read()["PUBLIC_URL"] or "http://127.0.0.1:5000"
        click.echo(f"{email} added as {role}; their one-time sign-in link: {base}/staff/welcome/{token}")
    else:
        click.echo(f"{email} added as {role}")


@staff.command("list")
def staff_list() -> None:
    """One line per account: email, role, languages, name, second factor."""
    for account in _store().accounts():
        factor = "2FA" if account.totp_secret else "-"
        click.echo(f"{account.email}\t{account.role}\t{account.languages or '-'}\t{factor}\t{account.name}")


@staff.command("remove")
@click.argument("email")
@click.option("--by", default=None, help="The admin acting (default: the shell, which is trusted).")
def staff_remove(email: str, by: str | None) -> None:
    """Remove an account; its sessions end at once."""
    with _refusals():
        _store().remove_account(email, by)
    click.echo(f"{email} removed")


@staff.command("role")
@click.argument("email")
@click.argument("role")
@click.option("--lang", default="", help="A translator's languages, e.g. es,pl.")
@click.option("--by", default=None, help="The admin acting (default: the shell, which is trusted).")
def staff_role(email: str, role: str, lang: str, by: str | None) -> None:
    """Change an account's role; its sessions end at once."""
    with _refusals():
        _store().set_role(email, role, _languages(lang), by)
    click.echo(f"{email} is now {role}")


@main.group()
def content() -> None:
    """Revisions and drafts of the content in the store (README: "Content revisions and staff accounts")."""


@content.command("export")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--revision", "number", type=int, default=None, help="Default: the published one.")
@click.option("--by", default=None, help="Who exports (for the audit log; default: the shell).")
def content_export(folder: Path, number: int | None, by: str | None) -> None:
    """Write FOLDER/flows and FOLDER/translations as the repository holds them (a checkout
    works: content files the revision does not have are removed, others are left)."""
    from hotline.store.files import export

    store = _store()
    with _refusals():
        number = number or store.published_number()
        assert number is not None
        export(store.files(number), folder)
        store.record(by, "exported", f"revision {number}", "", {"folder": str(folder)})
    click.echo(f"revision {number} written to {folder}")


@content.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--by", required=True, help="The staff member's email.")
@click.option("--reason", required=True, help="What changed and why.")
@click.option("--base", type=int, default=None, help="The revision FOLDER was exported from (default: found).")
def content_import(folder: Path, by: str, reason: str, base: int | None) -> None:
    """Make a draft of FOLDER's flows/ and translations/; prints its id."""
    from hotline.store.files import files_from_dirs
    from hotline.store.readable import unreadable

    files = files_from_dirs(folder / "flows", folder / "translations")
    problem = unreadable(files)
    if problem:
        raise click.ClickException(f"nothing was stored: {problem}")
    with _refusals():
        draft = _store().import_files(files, by, reason, base)
    click.echo(draft.id)


@content.command("status")
def content_status() -> None:
    """The published revision and the drafts waiting, with what each needs."""
    from hotline.store.store import RELEASE, SENT_BACK

    store = _store()
    number = store.published_number()
    revision = next(r for r in store.history() if r.id == number)
    click.echo(f"published: revision {number} ({revision.published_at:%Y-%m-%d %H:%M} UTC, by {revision.author}: "
               f"{revision.reason})")
    drafts = store.drafts()
    if not drafts:
        click.echo("no drafts waiting")
    for draft in drafts:
        approved = f"approved by {draft.approver}" if draft.approver else "not approved"
        release = " (A NEW RELEASE: its shipped files differ; review and publish it)" if draft.author == RELEASE else ""
        click.echo(f"draft {draft.id}: {draft.status}, {approved}; based on revision {draft.based_on}, "
                   f"by {draft.author}: {draft.reason}{release}")
        if draft.status != SENT_BACK:
            click.echo(f"  next: {store.waits_for(draft)}")


def _version(store: Store, name: str) -> dict[str, bytes]:
    """A revision number, or dN for a draft."""
    if name.lower().startswith("d") and name[1:].isdigit():
        return store.draft_files(int(name[1:]))
    if not name.isdigit():
        raise click.ClickException(f"{name} is neither a revision number nor a draft (d7).")
    return store.files(int(name))


@content.command("diff")
@click.argument("a")
@click.argument("b")
def content_diff(a: str, b: str) -> None:
    """What residents read differently from A to B (revision numbers; d7 for draft 7)."""
    from hotline.store.diff import describe

    store = _store()
    with _refusals():
        lines = describe(_version(store, a), _version(store, b))
    click.echo("\n".join(lines) if lines else "no difference")


@content.command("approve")
@click.argument("draft", type=int)
@click.option("--by", required=True, help="The publisher's email (never the draft's author).")
def content_approve(draft: int, by: str) -> None:
    """Approve a draft (a publisher other than its author)."""
    with _refusals():
        _store().approve(draft, by)
    click.echo(f"draft {draft} approved by {by}")


@content.command("send-back")
@click.argument("draft", type=int)
@click.option("--by", required=True, help="The publisher's email.")
@click.option("--reason", required=True, help="What the author should change.")
def content_send_back(draft: int, by: str, reason: str) -> None:
    """Send a draft back to its author, unpublished."""
    with _refusals():
        _store().send_back(draft, by, reason)
    click.echo(f"draft {draft} sent back")


@content.command("publish")
@click.argument("draft", type=int)
@click.option("--by", required=True, help="The publisher's email.")
def content_publish(draft: int, by: str) -> None:
    """Merge, check and publish a draft: every instance serves it within seconds."""
    with _refusals():
        number = _store().publish(draft, by)
    click.echo(f"draft {draft} published as revision {number}")


@content.command("history")
def content_history() -> None:
    """One line per revision: number, when, author, approver, state, check, reason."""
    store = _store()
    live = store.published_number()
    for r in store.history():
        state = "PUBLISHED" if r.id == live else ("was published" if r.published_at else "never published")
        checked = "check passed" if r.check_errors == "[]" else "not checked here (shipped)"
        click.echo(f"{r.id}\t{r.created_at:%Y-%m-%d %H:%M}\tby {r.author}\tapproved by {r.approver or '-'}\t"
                   f"{state}\t{checked}\t{r.reason}")


@content.command("restore")
@click.argument("revision", type=int)
@click.option("--by", required=True, help="The publisher's email.")
@click.option("--reason", required=True, help="Why.")
def content_restore(revision: int, by: str, reason: str) -> None:
    """Publish an earlier revision's content as a new revision (the same rules as any draft)."""
    with _refusals():
        outcome = _store().restore(revision, by, reason)
    if outcome.revision is None:
        raise click.ClickException(f"draft {outcome.draft} holds the restore, unpublished: {outcome.waiting}")
    click.echo(f"revision {revision} restored as revision {outcome.revision}")


@main.group(invoke_without_command=True)
@click.option("--csv", "as_csv", is_flag=True, help="CSV for a spreadsheet.")
@click.pass_context
def audit(ctx: click.Context, as_csv: bool) -> None:
    """The audit log: one line per entry with who, what and why."""
    if ctx.invoked_subcommand:
        return
    from hotline.store.audit import to_csv

    entries = _store().audit_entries()
    if as_csv:
        click.echo(to_csv(entries), nl=False)
        return
    for e in entries:
        click.echo(f"{e.seq}\t{e.at}\t{e.actor}\t{e.action}\t{e.target}\t{e.reason}")


@audit.command("verify")
def audit_verify() -> None:
    """Exit 1 when an entry was changed or removed."""
    problems, head = _store().audit_verify()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException("the audit log was changed after it was written.")
    click.echo(f"the audit log is intact; its last hash: {head}")
