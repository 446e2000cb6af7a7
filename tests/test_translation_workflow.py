"""What translators do after an English change: export just what needs translating (PO and
CSV), translate it, import it back, and sign their review string by string."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from hotline.content import load_content
from hotline.flow.extract import flow_messages
from hotline.languages import workflow
from hotline.languages.entries import read_catalog
from hotline.languages.locales import catalog_path
from hotline.languages.po import read_po_file, write_po_file
from hotline.languages.serving import serve
from tests.conftest import hotline

OLD = "Stay calm. Choose a topic."
NEW = "Stay calm and choose a topic."
needs_msgfmt = pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed")


@pytest.fixture
def line(line) -> Path:
    """A copy of the line whose ice menu's English changed, merged into the catalogs."""
    main_yaml = line / "flows/main.yaml"
    main_yaml.write_text(main_yaml.read_text().replace(OLD, NEW))
    assert hotline(line, "i18n", "extract").exit_code == 0
    assert hotline(line, "i18n", "update").exit_code == 0
    return line


def msgfmt_check(po: Path, tmp_path: Path) -> None:
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def served(line: Path, tag: str, context: str, english_part: str) -> str:
    content = load_content(line / "flows", line / "translations")
    english = next(m.text for m in flow_messages(content.flow) if m.context == context and english_part in m.text)
    return content.texts_for(tag).get(context, english)


@needs_msgfmt
def test_every_updated_catalog_passes_msgfmt(line, tmp_path):
    for po in sorted((line / "translations").glob("*/LC_MESSAGES/messages.po")):
        msgfmt_check(po, tmp_path)


@needs_msgfmt
def test_po_export_and_import_round_trip(line, tmp_path):
    exported = tmp_path / "pl-todo.po"
    result = hotline(line, "i18n", "export", "--lang", "pl", "-o", str(exported))
    assert result.exit_code == 0 and "1 string(s) to translate" in result.output
    msgfmt_check(exported, tmp_path)
    with exported.open("rb") as fh:
        todo = [m for m in read_po(fh) if m.id]
    assert len(todo) == 1 and todo[0].context == "ice" and NEW in todo[0].id
    assert OLD in exported.read_text()  # the earlier English, beside the new one (#| msgid)
    assert OLD in read_po_file(exported).get(todo[0].id, context="ice").previous_id[0]

    # The translator finishes it in Poedit: a translation, no longer fuzzy.
    with exported.open("rb") as fh:
        catalog = read_po(fh)
    entry = catalog.get(todo[0].id, context="ice")
    entry.string, entry.flags = "Nowe tłumaczenie: proszę zachować spokój i wybrać temat.", set()
    with exported.open("wb") as fh:
        write_po(fh, catalog)
    result = hotline(line, "i18n", "import", "--lang", "pl", str(exported))
    assert result.exit_code == 0 and "imported 1 translation(s), refused 0" in result.output
    po = catalog_path(line / "translations", "pl")
    msgfmt_check(po, tmp_path)
    assert served(line, "pl", "ice", NEW) == entry.string
    assert "pl: 1 string" not in hotline(line, "check").output.split("Languages")[0]  # nothing of Polish falls back


def test_csv_export_and_import_round_trip_and_placeholders_are_refused(line, tmp_path):
    exported = tmp_path / "es-todo.csv"
    assert hotline(line, "i18n", "export", "--lang", "es", "--format", "csv", "-o", str(exported)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert [(r["context"], r["string"]) for r in rows] == [("ice", "ice, text")]
    assert OLD in rows[0]["earlier English"] and NEW in rows[0]["English"] and rows[0]["earlier translation"]

    rows[0]["translation"] = "Conozca sus derechos si llegan agentes (ICE). Mantenga la calma y elija un tema."
    with exported.open("w", newline="", encoding="utf-8") as fh:  # saved as a European spreadsheet does
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    result = hotline(line, "i18n", "import", "--lang", "es", str(exported))
    assert result.exit_code == 0, result.output
    assert served(line, "es", "ice", NEW) == rows[0]["translation"]

    # A translation that loses a {placeholder} is refused, and the catalog keeps what it had.
    main_english = next(m.id for m in read_po_file(catalog_path(line / "translations", "es")) if m.context == "main"
                        and "{e911}" in m.id)
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**rows[0], "context": "main", "English": main_english, "translation": "Llame al {e91}."})
    before = catalog_path(line / "translations", "es").read_bytes()
    result = hotline(line, "i18n", "import", "--lang", "es", str(bad))
    assert result.exit_code == 1 and "refused main, text: the translation lacks {e911}" in result.output
    assert catalog_path(line / "translations", "es").read_bytes() == before


def test_review_is_per_string_and_an_edit_voids_it(line):
    result = hotline(line, "i18n", "review", "--lang", "fr", "--by", "Ana Example", "ice_door", "main")
    with catalog_path(line / "translations", "fr").open("rb") as fh:
        signed = sum(1 for m in read_po(fh) if m.id and m.context in ("ice_door", "main"))
    assert result.exit_code == 0 and f"fr: {signed} string(s) signed as reviewed by Ana Example" in result.output
    status = hotline(line, "i18n", "status", "--lang", "fr").output
    door = next(row for row in status.splitlines() if row.startswith("ice_door, title"))
    assert "translated" in door and "reviewed by Ana Example, " in door
    ice = next(row for row in status.splitlines() if row.startswith("ice, text"))
    assert "ENGLISH: changed in English, not translated yet" in ice and "not reviewed" in ice

    po = catalog_path(line / "translations", "fr")
    catalog = read_po_file(po)
    entry = next(m for m in catalog if m.context == "ice_door" and m.string and "door" in m.id)
    entry.string += " !"
    with po.open("wb") as fh:
        write_po(fh, catalog)
    status = hotline(line, "i18n", "status", "--lang", "fr").output
    door = next(row for row in status.splitlines() if row.startswith("ice_door, title"))
    assert "review voided: edited since it was reviewed" in door
    summary = hotline(line, "i18n", "status").output
    assert "reviews voided by an edit since: fr 1" in summary
    fr = next(row for row in summary.splitlines() if row.startswith("fr "))
    assert fr.split()[-3] == "3"  # reviewed strings still standing


def test_machine_drafts_go_beside_a_changed_translation(line):
    from hotline.languages import comments
    from hotline.languages.machine import drafting

    class Copy:
        from_code, to_code, label = "en", "pl", "copy"

        def translate(self, texts):
            return list(texts)

    po = catalog_path(line / "translations", "pl")
    report = drafting.draft_po_file(po, "pl", drafter=Copy())
    assert report.drafted == 1
    entry = next(m for m in read_po_file(po) if m.context == "ice" and NEW in m.id)
    assert entry.fuzzy and OLD in entry.previous_id[0] and "Proszę" in entry.string  # kept for wording_only
    assert any(c.startswith(comments.BESIDE_PREFIX) for c in entry.user_comments)


def test_a_match_from_another_node_is_only_a_suggestion(tmp_path):
    catalog = Catalog(locale="pl")
    catalog.add("Get legal help", "Pomoc prawna", context="legal_help")
    template = Catalog()
    template.add("Get free legal help", context="new_page")
    merged = workflow.merge(catalog, template)
    entry = merged.get("Get free legal help", context="new_page")
    assert entry.fuzzy and entry.string == "Pomoc prawna" and not entry.previous_id
    path = tmp_path / "pl.po"
    write_po_file(path, merged)
    key = ("new_page", "Get free legal help")
    served = serve(read_catalog(path), [key], wording_only=frozenset([key]))[key]
    assert served.how == "english" and served.reason == "draft"


# Wording-only changes: only ever the translation of the English replaced ----------------

A, B, C = "Call ICIRR at any hour.", "Call ICIRR, day or night.", "Call ICIRR day or night."
OLDEST, CAUGHT_UP = "Llame a ICIRR a cualquier hora.", "Llame a ICIRR de día o de noche."


def edited(path: Path, english: str) -> Path:
    """`hotline i18n update` after the page's English became `english` (a template of one entry)."""
    template = Catalog()
    template.add(english, context="page")
    write_po_file(path, workflow.merge(read_po_file(path), template))
    return path


def resident_gets(path: Path, english: str) -> str:
    key = ("page", english)
    return serve(read_catalog(path), [key], wording_only=frozenset([key]))[key].text


@pytest.fixture
def fixture_catalog(tmp_path) -> Path:
    """One page translated from A, and an obsolete entry of the same page holding an older text."""
    path = tmp_path / "es.po"
    path.write_text(f'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
                    f'msgctxt "page"\nmsgid "{A}"\nmsgstr "{OLDEST}"\n\n'
                    f'#~ msgctxt "page"\n#~ msgid "{C}."\n#~ msgstr "Texto antiguo."\n', encoding="utf-8")
    return path


def test_a_wording_only_change_serves_the_translation_of_the_english_it_replaced_never_older(fixture_catalog):
    assert resident_gets(edited(fixture_catalog, B), B) == OLDEST  # A -> B, wording only: A's translation
    assert "#~" not in fixture_catalog.read_text(encoding="utf-8")  # the obsolete entry is gone for good
    catalog = read_po_file(fixture_catalog)
    assert workflow.take(catalog, {("page", B): CAUGHT_UP}).taken  # the translation catches up
    write_po_file(fixture_catalog, catalog)
    assert resident_gets(edited(fixture_catalog, C), C) == CAUGHT_UP  # B -> C, wording only: B's translation
    assert resident_gets(edited(fixture_catalog, C), C) == CAUGHT_UP  # a second update keeps it


def test_two_wording_only_changes_before_the_translation_caught_up_serve_english(fixture_catalog):
    assert resident_gets(edited(fixture_catalog, B), B) == OLDEST
    assert resident_gets(edited(fixture_catalog, C), C) == C  # OLDEST translates A, not B: never served
    entry = read_po_file(fixture_catalog).get(C, context="page")
    assert entry.fuzzy and entry.string == OLDEST and not entry.previous_id  # the translator's draft


def test_before_update_runs_a_wording_only_change_is_served_in_english(fixture_catalog):
    key = ("page", B)  # the flow says B; the catalog was last updated for A
    served = serve(read_catalog(fixture_catalog), [key], wording_only=frozenset([key]))[key]
    assert served.text == B and served.reason == "changed" and served.older == A
