"""Catalogs: extraction, the publish gate, GNU gettext's check, and every language served."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from hotline.cli import main
from hotline.content import load_content
from hotline.languages.locales import catalog_path, read_locales
from hotline.languages.po import read_po_file
from tests.conftest import ROOT

TRANSLATIONS = ROOT / "translations"
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


@pytest.fixture
def copy(line, monkeypatch):
    """flows/ and translations/ copied, and the CLI pointed at the copies."""
    flows, translations = line / "flows", line / "translations"
    monkeypatch.setenv("HOTLINE_FLOWS", str(flows))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS", str(translations))
    return flows, translations


@pytest.mark.content  # every shipped catalog
@pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_catalog_passes_msgfmt_check(po, tmp_path):
    result = subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(po)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.content
@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_no_catalog_keeps_obsolete_entries(po):
    """Superseded texts (the old privacy promise, the old "denounce" wording) are gone for good."""
    assert "\n#~ " not in po.read_text(encoding="utf-8")


def test_a_fuzzy_entry_is_served_in_english_and_its_language_stays(copy):
    flows, translations = copy
    path = catalog_path(translations, "es")
    with path.open("rb") as fh:
        catalog = read_po(fh)
    entry = next(m for m in catalog if m.id and m.context == "ice_door")
    entry.flags.add("fuzzy")
    with path.open("wb") as fh:
        write_po(fh, catalog)
    content = load_content(flows, translations)
    assert content.offered == tuple(read_locales(translations))
    assert set(content.coverage["es"].because("draft")) == {("ice_door", entry.id)}
    assert content.texts_for("es").get("ice_door", entry.id) == entry.id  # the English, never the fuzzy text


def test_extract_collects_flow_and_code_strings_with_context(copy):
    _flows, translations = copy
    (translations / "messages.pot").unlink()
    result = CliRunner().invoke(main, ["i18n", "extract"])
    assert result.exit_code == 0, result.output
    with (translations / "messages.pot").open("rb") as fh:
        pot = read_po(fh)
    ice_door = pot.get("ICE at your door", context="ice_door")
    assert ice_door is not None
    assert any("SMS and voice" in c for c in ice_door.auto_comments)
    assert pot.get("Sorry, I did not understand.", context="notice.unknown") is not None
    assert pot.get("ICIRR Family Support Hotline", context="service.icirr") is not None


def test_update_turns_changed_english_fuzzy(copy):
    flows, translations = copy
    main_yaml = flows / "main.yaml"
    main_yaml.write_text(main_yaml.read_text().replace("title: ICE at your door", "title: If ICE is at your door"))
    runner = CliRunner()
    assert runner.invoke(main, ["i18n", "extract"]).exit_code == 0
    assert runner.invoke(main, ["i18n", "update", "--lang", "es"]).exit_code == 0
    entry = read_po_file(catalog_path(translations, "es")).get("If ICE is at your door", context="ice_door")
    assert entry is not None and entry.fuzzy and entry.previous_id == ["ICE at your door"]
    served = load_content(flows, translations).coverage["es"].fallback[("ice_door", "If ICE is at your door")]
    assert served.how == "english" and served.reason == "changed" and served.older == "ICE at your door"


def test_status_lists_every_language(copy):
    result = CliRunner().invoke(main, ["i18n", "status"])
    assert result.exit_code == 0, result.output
    for tag in read_locales(TRANSLATIONS):
        assert f"\n{tag} " in "\n" + result.output


def test_simulate_prints_what_a_resident_receives():
    result = CliRunner().invoke(main, ["simulate"], input="hola\n5\n1\n")
    assert result.exit_code == 0, result.output
    assert "> hola" in result.output
    assert "1-855-435-7693" in result.output
    assert "GSM-7" in result.output


def test_pybabel_extract_with_the_project_mapping(tmp_path):
    from babel.messages.frontend import CommandLineInterface

    pot = tmp_path / "messages.pot"
    import contextlib
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "."])
    with pot.open("rb") as fh:
        catalog = read_po(fh)
    assert catalog.get("Welcoming City Ordinance", context="wco") is not None
    assert catalog.get("Sorry, I did not understand.", context="notice.unknown") is not None
    assert not any(m.id == "Legal help in Spanish" for m in catalog)  # flows/tests/ is not content


def test_compile_writes_mo_files_without_fuzzy_entries(copy):
    _flows, translations = copy
    result = CliRunner().invoke(main, ["i18n", "compile"])
    assert result.exit_code == 0, result.output
    for tag in read_locales(TRANSLATIONS):
        if tag != "en":
            assert catalog_path(translations, tag).with_suffix(".mo").exists(), tag


# Each language: the greeting its speakers type, and an exact line its catalog must supply.
GREETINGS = {"en": "hello", "es": "hola", "pl": "dzień dobry", "zh-Hans": "你好", "hi": "नमस्ते",
             "ar": "مرحبا", "fr": "bonjour", "ht": "bonjou", "pt": "olá", "uk": "привіт",
             "tl": "kumusta", "ko": "안녕하세요"}


@pytest.mark.content  # each shipped catalog's own wording
@pytest.mark.parametrize("tag", list(GREETINGS))
def test_a_conversation_in_each_language_is_served_from_its_own_catalog(tag, twilio, app):
    from hotline.channels import gsm
    from tests.conftest import Texter

    content = app.extensions["hotline"].content
    assert tag in content.offered
    with catalog_path(TRANSLATIONS, tag).open("rb") if tag != "en" else open(ROOT / "translations/messages.pot", "rb") as fh:
        catalog = {(m.context, m.id): (m.string or m.id) for m in read_po(fh) if m.id}

    def own(context: str, english: str) -> str:
        text = catalog[(context, english)]
        return gsm.fold(text) if content.locales[tag].folds else text

    resident = Texter(twilio, number=f"+1312555{abs(hash(tag)) % 10000:04d}")
    menu = resident.text(GREETINGS[tag])
    assert f"1 {own('rights_chicago', 'Your rights in Chicago')}" in menu
    legal = resident.text("5")
    assert own("legal_icirr", "ICIRR Family Support Hotline") in legal
    transfer = resident.text("1")
    assert own("service.icirr", "ICIRR Family Support Hotline") in transfer
    assert "1-855-435-7693" in transfer
    assert all(gsm.segments(r) <= 3 for r in resident.received)


@pytest.mark.parametrize("tag,greeting", [("es", "hola"), ("pl", "dzień dobry"), ("pt", "olá"), ("fr", "bonjour")])
def test_folding_languages_are_sent_as_gsm7(tag, greeting, twilio):
    from hotline.channels import gsm
    from tests.conftest import Texter

    resident = Texter(twilio, number="+13125550111")
    resident.text(greeting)
    for choice in ("1", "1", "#", "2", "1", "0", "3", "1"):
        resident.text(choice)
    assert all(gsm.encoding(r) == gsm.GSM7 for r in resident.received), [
        gsm.offenders(r) for r in resident.received if gsm.encoding(r) != gsm.GSM7]


@pytest.mark.parametrize("text,words", [
    ("¿Dónde está el CONSULADO?", "donde esta el consulado"), ("Łódź, straße", "lodz strasse"),
    ("Доброго дня, маю питання", "доброго дня маю питання"), ("بِسْمِ اللّٰه", "بسم الله"),
    ("बंद करो", "बंद करो"), ("बाद में", "बाद में"), ("café बंद", "cafe बंद"), ("\u0902 alone", "alone"),
    ("문의드립니다!", "문의드립니다"), ("我想问一下。", "我想问一下"), ("#1 *2 +3", "#1 *2 +3"), ("ﬁne ①", "fine 1"),
])
def test_words_match_whatever_their_case_accents_and_punctuation_but_not_their_vowels(text, words):
    """Accents are optional below Devanagari; from there on a vowel sign changes the word."""
    from hotline.languages.words import normalize

    assert normalize(text) == words



def test_extract_and_update_with_no_new_string_change_no_file(copy):
    """Nothing to translate, nothing to review: the template keeps its date, so no catalog
    changes either (a commit of the catalogs shows only what translators must look at)."""
    _flows, translations = copy
    files = sorted(p for p in translations.rglob("*") if p.is_file())
    before = {p: p.read_bytes() for p in files}
    runner = CliRunner()
    assert runner.invoke(main, ["i18n", "extract"]).exit_code == 0
    assert runner.invoke(main, ["i18n", "update"]).exit_code == 0
    assert {p: p.read_bytes() for p in files} == before
