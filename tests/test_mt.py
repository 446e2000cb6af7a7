"""Tests for hotline.languages.machine: offline machine drafts from Argos Translate packages.

The end-to-end tests build a tiny *real* Argos package (tests/argos_fixture.py): a
CTranslate2 Transformer whose weights make it copy its input, plus a SentencePiece
model trained on the fly. A copy model is the perfect oracle: every draft must equal its
English source, so any damage done by masking, sentence splitting, batching or the
.po round trip shows up as a difference.

Those tests need the optional ``mt`` extra (ctranslate2, sentencepiece) and are skipped
without it; the masking and rejection tests run everywhere.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from hotline.languages import comments
from hotline.languages.machine import argos, drafting, masking, translator

MSGFMT = shutil.which("msgfmt")

COPY = [
    "Call the hotline at 1-855-435-7693 for help with your immigration case.",
    "Hello {icirr}, you have 3 new messages.",
    "Welcome. Press 1 to hear this message in English. Press 2 for Spanish.",
    "Call 311 or (866) 223-2817 today! You can also dial 898-211.",
    "Office hours are 9:00 to 5:00, Monday to Friday.",
    "Text STOP to 1-855-435-7693 to unsubscribe.\n",
    "{icirr}",
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def argos_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real en->es .argosmodel, built once per session (~0.2 s)."""
    pytest.importorskip("ctranslate2")
    pytest.importorskip("sentencepiece")
    try:
        from tests import argos_fixture
    except ImportError:  # tests/ run as plain rootdir-less modules
        import argos_fixture  # type: ignore[no-redef]

    return argos_fixture.build_package(tmp_path_factory.mktemp("argos"), "en", "es")


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty packages folder that the drafts use by default."""
    folder = tmp_path / "argos-packages"
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(folder))
    return folder


@pytest.fixture
def installed(argos_archive: Path, packages: Path) -> Path:
    return argos.install_package(argos_archive)


@pytest.fixture
def drafter(installed: Path) -> translator.Drafter:
    return translator.Drafter(installed)


def _msgfmt_check(po: Path) -> None:
    if MSGFMT is None:  # pragma: no cover
        pytest.skip("GNU gettext msgfmt not installed")
    # --use-fuzzy makes msgfmt check the (fuzzy) drafts too, not only reviewed entries.
    proc = subprocess.run(
        [MSGFMT, "--check", "--use-fuzzy", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def _catalog() -> Catalog:
    cat = Catalog(locale="es", project="hotline")
    cat.add(COPY[0], locations=[("flows/main.yaml", 3)])
    cat.add(COPY[1], flags=["python-brace-format"], auto_comments=["icirr: organisation name"])
    cat.add(COPY[2])
    cat.add(COPY[3])
    cat.add(COPY[4])
    cat.add(COPY[5])
    cat.add(COPY[6], flags=["python-brace-format"])
    cat.add(("There is one item.", "There are %(num)d items."), flags=["python-format"])
    cat.add("Thank you.", "Gracias.")
    cat.add("Press 1 for help.", "Marque 1 para ayuda.", user_comments=["reviewed by Ana"])
    return cat


# --------------------------------------------------------------------------- packages


def test_packages_dir_follows_argospm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(tmp_path / "explicit"))
    assert argos.packages_dir() == tmp_path / "explicit"
    monkeypatch.delenv("ARGOS_PACKAGES_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert argos.packages_dir() == tmp_path / "xdg" / "argos-translate" / "packages"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert argos.packages_dir() == tmp_path / "home" / ".local/share/argos-translate/packages"


def test_install_and_find(argos_archive: Path, packages: Path) -> None:
    folder = argos.install_package(argos_archive)
    assert folder.parent == packages
    assert (folder / "model" / "model.bin").is_file()
    assert (folder / "sentencepiece.model").is_file()
    assert argos.find_package("en", "es") == folder
    # Reinstalling replaces the folder in place and leaves no staging folders behind.
    assert argos.install_package(argos_archive, into=packages) == folder
    assert [p.name for p in packages.iterdir()] == [folder.name]


def test_newest_version_wins(installed: Path, packages: Path) -> None:
    newer = packages / "translate-en_es-2_0"
    shutil.copytree(installed, newer)
    meta = json.loads((newer / "metadata.json").read_text())
    meta["package_version"] = "1.10"
    (newer / "metadata.json").write_text(json.dumps(meta))
    assert argos.find_package("en", "es") == newer


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a/metadata.json": b"{}", "b/x": b""}, "one top folder"),
        ({"../evil/metadata.json": b"{}"}, "unsafe path"),
        ({"pkg/model/model.bin": b""}, "no metadata.json"),
        ({"pkg/metadata.json": b'{"from_code": "en"}'}, "to_code"),
        (
            {"pkg/metadata.json": b'{"from_code": "en", "to_code": "es"}', "pkg/sentencepiece.model": b""},
            "model.bin",
        ),
    ],
)
def test_install_rejects_bad_archives(tmp_path: Path, files: dict[str, bytes], message: str) -> None:
    into = tmp_path / "pkgs"
    with pytest.raises(argos.BadPackage, match=message):
        argos.install_package(_zip(tmp_path / "bad.argosmodel", files), into=into)
    assert not any(into.iterdir())  # nothing half-installed
    with pytest.raises(argos.BadPackage, match="not a zip"):
        (tmp_path / "plain.argosmodel").write_text("hello")
        argos.install_package(tmp_path / "plain.argosmodel", into=into)


def test_missing_package_names_pair_and_install_command(packages: Path) -> None:
    with pytest.raises(argos.MissingPackage) as err:
        argos.find_package("en", "fr")
    text = str(err.value)
    assert "en->fr" in text
    assert "hotline i18n install-model" in text
    assert "argospm install translate-en_fr" in text
    assert str(packages) in text
    assert isinstance(err.value, argos.DraftError)


def test_missing_package_for_hotline_language(tmp_path: Path, packages: Path) -> None:
    po = tmp_path / "gu.po"
    cat = Catalog(locale="gu")
    cat.add("Hello")
    with po.open("wb") as fh:
        write_po(fh, cat)
    before = po.read_bytes()
    with pytest.raises(argos.MissingPackage, match=r"en->gu.*install-model"):
        drafting.draft_po_file(po, "gu")
    assert po.read_bytes() == before


def test_language_tags_map_to_argos_codes(installed: Path, packages: Path) -> None:
    assert argos.argos_codes("zh-Hans") == ("zh",)
    assert argos.argos_codes("zh_Hant") == ("zt",)
    assert argos.argos_codes("tl") == ("tl",)
    assert argos.argos_codes("es") == ("es",)

    def clone(to_code: str) -> Path:
        dest = packages / f"translate-en_{to_code}-1_0"
        shutil.copytree(installed, dest)
        meta = json.loads((dest / "metadata.json").read_text())
        meta.update(to_code=to_code, code=f"translate-en_{to_code}")
        (dest / "metadata.json").write_text(json.dumps(meta))
        return dest

    pb = clone("pb")  # only Brazilian Portuguese installed: pt falls back to it
    assert argos.resolve_package("pt") == pb
    pt = clone("pt")
    assert argos.resolve_package("pt") == pt
    assert argos.resolve_package("pt-BR") == pb
    zh = clone("zh")
    assert argos.resolve_package("zh-Hans") == zh
    with pytest.raises(argos.MissingPackage, match="zt"):
        argos.resolve_package("zh-Hant")


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    "text, items",
    [
        ("Call 1-855-435-7693 now.", ["1-855-435-7693"]),
        ("Call (866) 223-2817 or 311.", ["(866) 223-2817", "311"]),
        ("Dial 898-211, then 2.", ["898-211", "2"]),
        ("Hi {icirr}, %(num)d new, %s left, 100%% sure.", ["{icirr}", "%(num)d", "%s", "100", "%%"]),
        ("See www.uscis.gov/forms or help@icirr.org.", ["www.uscis.gov/forms", "help@icirr.org"]),
        ("Open 9:00-5:00, fee $1,000.50.", ["9:00-5:00", "1,000.50"]),
        ("No numbers, 50% off.", ["50"]),
    ],
)
def test_protect_and_restore(text: str, items: list[str]) -> None:
    masked, found = masking.protect(text)
    assert found == items
    assert not any(ch.isdigit() for ch in masked)
    assert "{" not in masked
    assert masking.restore(masked, found, source=text) == text


def test_restore_rejects_lost_duplicated_invented_or_changed() -> None:
    text = "Call 311 or 1-855-435-7693."
    masked, items = masking.protect(text)
    a, b = masked.split()[1], masked.split()[3].rstrip(".")
    with pytest.raises(ValueError, match="lost '1-855-435-7693'"):
        masking.restore(f"Llame al {a}.", items, source=text)
    with pytest.raises(ValueError, match="repeated '311'"):
        masking.restore(f"Llame al {a} o {a} {b}.", items, source=text)
    with pytest.raises(ValueError, match="unknown placeholder"):
        masking.restore(f"Llame al {a} o {b} ZQXZZ.", items, source=text)
    with pytest.raises(ValueError, match="added '24'"):
        masking.restore(f"Llame al {a} o {b}, 24 horas.", items, source=text)
    # Case changes of the sentinel are harmless.
    assert masking.restore(f"Llame al {a.lower()} o {b}.", items, source=text) == "Llame al 311 o 1-855-435-7693."


class FakeDrafter:
    """Translates by a function; records what it was asked."""

    label = "translate-en_es 0.0-fake"

    def __init__(self, fn):
        self.fn = fn
        self.calls: list[list[str]] = []

    def translate(self, texts):
        self.calls.append(list(texts))
        return [self.fn(t) for t in texts]


def test_draft_rejects_translation_that_lost_a_number() -> None:
    cat = Catalog(locale="es")
    cat.add("Call 311 for help.")
    cat.add("Call 1-855-435-7693 or 311 for help.")
    cat.add("Hello {icirr}.", flags=["python-brace-format"])

    def lossy(text: str) -> str:
        # Drops the second sentinel, keeps the rest; "translates" one word.
        masked_items = [w for w in text.split() if w.startswith("ZQX")]
        out = text.replace("Call", "Llame al").replace("Hello", "Hola")
        if len(masked_items) > 1:
            out = out.replace(masked_items[1], "")
        return out

    fake = FakeDrafter(lossy)
    report = drafting.draft_catalog(cat, "en", "es", fake)
    assert len(fake.calls) == 1  # one batched call for the whole catalog
    assert report.drafted == 2
    assert cat["Call 311 for help."].string == "Llame al 311 for help."
    assert cat["Hello {icirr}."].string == "Hola {icirr}."
    bad = cat["Call 1-855-435-7693 or 311 for help."]
    assert not bad.string and not bad.fuzzy and not bad.user_comments
    [rejection] = report.rejected
    assert rejection.msgid == "Call 1-855-435-7693 or 311 for help."
    assert "lost '311'" in rejection.reason
    assert "rejected 1" in report.summary()


def test_draft_rejects_invented_number_and_empty_output() -> None:
    cat = Catalog(locale="es")
    cat.add("Open one day a week.")
    cat.add("Closed today.")
    fake = FakeDrafter(lambda t: "Abierto 1 día." if t.startswith("Open") else "")
    report = drafting.draft_catalog(cat, "en", "es", fake)
    assert report.drafted == 0
    reasons = {r.msgid: r.reason for r in report.rejected}
    assert "added '1'" in reasons["Open one day a week."]
    assert "empty translation" in reasons["Closed today."]


def test_missing_extra_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # makes `import ctranslate2` fail
    with pytest.raises(translator.MissingDependency, match=r"pip install 'hotline\[mt\]'"):
        translator.require_runtime()


# --------------------------------------------------------------------------- real package


def test_drafter_copies_and_keeps_masked_items(drafter: translator.Drafter) -> None:
    assert drafter.label == "translate-en_es 1.0"
    assert drafter.translate(["", "Hello."]) == ["", "Hello."]
    masked = [masking.protect(t) for t in COPY]
    # Sentinels reach the model as pieces it never saw in training and still survive.
    out = drafter.translate([m for m, _ in masked])
    for text, (_masked, items), o in zip(COPY, masked, out, strict=True):
        assert masking.restore(o, items, source=text) == text.strip()


def test_draft_catalog_with_real_package(drafter: translator.Drafter, tmp_path: Path) -> None:
    cat = _catalog()
    report = drafting.draft_catalog(cat, "en", "es", drafter)
    assert report.rejected == []
    assert report.drafted == len(COPY) + 1
    assert report.already_translated == 2

    for msgid in COPY:
        msg = cat[msgid]
        assert msg.string == msgid  # the copy model's "translation" is the source
        assert msg.fuzzy
        assert msg.user_comments == [
            "machine draft (Argos Translate translate-en_es 1.0),",
            "needs review by a fluent speaker",
        ]
        assert comments.is_machine_draft(msg)
        assert masking.protected_items(msg.string) == masking.protected_items(msgid)
    plural = cat["There is one item."]
    # As many forms as the catalog's own plural rule has (CLDR data changes between Babel
    # releases: Spanish has two forms in some, three in others).
    forms = ("There is one item.",) + ("There are %(num)d items.",) * (cat.num_plurals - 1)
    assert plural.string == forms
    assert plural.fuzzy
    assert cat[COPY[1]].auto_comments == ["icirr: organisation name"]

    for msgid, string in [("Thank you.", "Gracias."), ("Press 1 for help.", "Marque 1 para ayuda.")]:
        msg = cat[msgid]
        assert msg.string == string and not msg.fuzzy
        assert not any(c.startswith(comments.DRAFT_COMMENT_PREFIX) for c in msg.user_comments)

    po = tmp_path / "es.po"
    with po.open("wb") as fh:
        write_po(fh, cat)
    text = po.read_text()
    assert (
        "# machine draft (Argos Translate translate-en_es 1.0),\n"
        "# needs review by a fluent speaker\n"
    ) in text
    _msgfmt_check(po)
    again = read_po(io.BytesIO(po.read_bytes()))
    for msgid in COPY:
        assert again[msgid].fuzzy
        assert again[msgid].user_comments == cat[msgid].user_comments  # survives the round trip


def test_draft_po_file_in_place(installed: Path, tmp_path: Path) -> None:
    cat = _catalog()
    po = tmp_path / "es.po"
    with po.open("wb") as fh:
        write_po(fh, cat, width=79)  # the width every hotline command writes
    # What `pybabel update --previous` and obsolete entries look like: the first must survive,
    # the second never comes back (a superseded text the line must never serve).
    po.write_text(
        po.read_text()
        + '#, fuzzy\n#| msgid ""\n#| "Thanks a "\n#| "lot"\nmsgid "Thanks!"\nmsgstr "¡Gracias!"\n\n'
        + '#~ msgid "Old message"\n#~ msgstr "Mensaje viejo"\n'
    )
    original = po.read_text()
    report = drafting.draft_po_file(po, "es")
    # Every empty entry, and the fuzzy one whose English changed (its draft goes beside it).
    assert report.drafted == len(COPY) + 2 and not report.rejected
    text = po.read_text()
    # Everything but msgstr/flag lines and the babel version stamp is kept, in order.
    kept = iter(text.splitlines())
    for line in original.splitlines():
        if not line.startswith(("msgstr", "#,", "#|", '"Generated-By', "#:", "#~")):
            assert line in kept, line
        elif line.startswith("#:"):  # locations are kept without line numbers, which churn
            assert line.rsplit(":", 1)[0] in text
    assert '#, fuzzy\n#| msgid "Thanks a lot"\nmsgid "Thanks!"' in text
    assert "#~" not in text
    _msgfmt_check(po)
    result = read_po(io.BytesIO(po.read_bytes()))
    for msgid in COPY:
        assert result[msgid].string == msgid and result[msgid].fuzzy
    assert result["Thank you."].string == "Gracias." and not result["Thank you."].fuzzy
    assert result["Thanks!"].string == "¡Gracias!"  # the person's translation of the earlier English stays
    assert any(c.startswith(comments.BESIDE_PREFIX) and c.endswith(": Thanks!") for c in result["Thanks!"].user_comments)

    # Nothing left to draft: the file is not touched (and the model is not loaded).
    before = po.read_bytes()
    report = drafting.draft_po_file(po, "es")
    assert report.drafted == 0 and po.read_bytes() == before


def test_target_prefix_is_sent_and_stripped(drafter: translator.Drafter) -> None:
    seen = {}

    class Hyp:
        def __init__(self, tokens):
            self.hypotheses = [tokens]

    class FakeTranslator:
        def translate_batch(self, batch, target_prefix=None, **kwargs):
            seen.update(prefix=target_prefix, kwargs=kwargs)
            return [Hyp(["__es__"] + tokens) for tokens in batch]

    drafter.target_prefix = "__es__"
    drafter._translator = FakeTranslator()
    assert drafter.translate(["Hello there.", "Call now."]) == ["Hello there.", "Call now."]
    assert seen["prefix"] == [["__es__"], ["__es__"]]
    assert seen["kwargs"] == dict(
        batch_type="examples", max_batch_size=32, beam_size=4, replace_unknowns=True
    )


def test_no_torch_or_argostranslate(drafter: translator.Drafter) -> None:
    drafter.translate(["Hello."])
    assert "torch" not in sys.modules
    assert "argostranslate" not in sys.modules
    assert "stanza" not in sys.modules


def test_staff_commands_install_a_package_and_draft_a_new_language(
        argos_archive: Path, packages: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What staff type: `hotline i18n install-model FILE`, then `hotline i18n draft --lang es`
    on a catalog with empty entries. Drafts are fuzzy, so those strings stay in English."""
    import shutil

    from click.testing import CliRunner

    from hotline.cli import main
    from hotline.content import load_content
    from tests.conftest import SMALL

    flows = shutil.copytree(SMALL / "flows", tmp_path / "flows")
    translations = shutil.copytree(SMALL / "translations", tmp_path / "translations")
    monkeypatch.setenv("HOTLINE_FLOWS", str(flows))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS", str(translations))
    po = translations / "es" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    emptied = [m for m in catalog if m.id and m.context in ("talk", "service.helpers", "notice.help")]
    for message in emptied:
        message.string = ""
    with po.open("wb") as fh:
        write_po(fh, catalog)

    runner = CliRunner()
    result = runner.invoke(main, ["i18n", "install-model", str(argos_archive)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["i18n", "draft", "--lang", "es"])
    assert result.exit_code == 0, result.output
    assert f"drafted {len(emptied)}" in result.output
    _msgfmt_check(po)
    with po.open("rb") as fh:
        drafted = {(m.context, m.id): m for m in read_po(fh) if m.id}
    for message in emptied:
        entry = drafted[(message.context, message.id)]
        assert entry.fuzzy and any(comments.DRAFT_COMMENT_PREFIX in c for c in entry.user_comments)
        assert entry.string == message.id  # the copy model: every number and {placeholder} kept
    content = load_content(flows, translations)  # drafts are never served: English meanwhile
    shown = [m for m in emptied if (m.context, m.id) in content.coverage["es"].fallback]  # `also:` is never shown
    assert "es" in content.offered and len(content.coverage["es"].because("draft")) == len(shown) >= 3
    missing = runner.invoke(main, ["i18n", "draft", "--lang", "pl"])
    assert missing.exit_code != 0 and "install-model" in missing.output
