"""The publishing rules and the merge, as data: no database, no app."""
from __future__ import annotations

import pytest

from hotline.store import merge
from hotline.store.rules import (
    EDITOR,
    PUBLISHER,
    TRANSLATOR,
    Actor,
    Change,
    classify,
    may_approve,
    may_author,
    may_publish,
)
from tests.store_fixtures import shipped

FILES = shipped()
MAIN, SERVICES, ES = "flows/main.yaml", "flows/services.yaml", "translations/es/LC_MESSAGES/messages.po"


def changed(path: str, old: str, new: str) -> dict[str, bytes | None]:
    assert old.encode() in FILES[path]
    return {path: FILES[path].replace(old.encode(), new.encode(), 1)}


@pytest.mark.parametrize("edit, facts", [
    (changed(SERVICES, "1-855-435-7693", "1-855-435-7694"), ("service “Helpers”: phone number residents read",)),
    (changed(SERVICES, "hours: 24 hours\n  source: \"shared/sources/services.md\"\n  verified: 2026-12-01\n  check: "
                       "\"\"\n\nhelpers", "hours: all day\n  source: \"shared/sources/services.md\"\n  verified: "
                       "2026-12-01\n  check: \"\"\n\nhelpers"), ("service “Emergency”: hours",)),
    (changed(MAIN, "    text: Call {helpers} for help.\n", "    text: Phone {helpers}.\n    wording_only: text\n"), ()),
    (changed(MAIN, "    text: Call {helpers} for help.\n", "    text: Phone {helpers}.\n"), ("page “Help line”: text",)),
    (changed(MAIN, "source: \"shared/sources/services.md\"", "source: \"a new page\""), ("page “Help line”: source",)),
    (changed(MAIN, "    reviewed: 2026-12-01\n\n  help_line", "    reviewed: 2026-12-07\n\n  help_line"), ()),
    (changed(MAIN, "  talk:\n", "  extra:\n    type: page\n    title: X\n    text: Y\n    source: Z\n\n  talk:\n"),
     ("page “X” added",)),
    (changed("flows/tests/rights_en.yaml", "Rights, in English", "Rights"), ()),
    (changed("translations/locales.yaml", "pl:\n", "pt:\n"), ("the languages offered",)),
    (changed(ES, 'msgstr "Sus derechos"', 'msgstr "Derechos"'), ()),
])
def test_what_counts_as_a_fact(edit, facts):
    assert classify(FILES, edit).facts == facts


def test_translations_are_named_by_language_and_flows_as_english():
    change = classify(FILES, {**changed(ES, 'msgstr "Sus derechos"', 'msgstr "Derechos"'),
                              **changed(MAIN, "Help line", "Helpline")})
    assert change.languages == {"es"} and change.english


ED, PAT, QUINN = Actor("ed@l.org", EDITOR), Actor("pat@l.org", PUBLISHER), Actor("quinn@l.org", PUBLISHER)
TOMAS = Actor("tomas@l.org", TRANSLATOR, ("es",))
FACT, WORDING = Change(facts=("node 'x': text",), english=True), Change(english=True)
SPANISH = Change(languages=frozenset({"es"}))


@pytest.mark.parametrize("actor, change, author, approver, errors, refused", [
    (PAT, FACT, "ed@l.org", "quinn@l.org", [], None),
    (PAT, FACT, "ed@l.org", None, [], "a publisher other than its author ed@l.org must approve it first"),
    (PAT, FACT, "pat@l.org", "pat@l.org", [], "must approve it first"),
    (PAT, FACT, "pat@l.org", "quinn@l.org", [], None),
    (PAT, WORDING, "ed@l.org", None, [], None),
    (PAT, WORDING, "pat@l.org", None, [], None),
    (PAT, SPANISH, "tomas@l.org", None, [], None),
    (TOMAS, SPANISH, "tomas@l.org", None, [], "tomas@l.org is a translator: only a publisher publishes"),
    (TOMAS, WORDING, "ed@l.org", None, [], "only a publisher publishes"),
    (ED, WORDING, "ed@l.org", None, [], "ed@l.org is an editor: only a publisher publishes"),
    (PAT, WORDING, "ed@l.org", None, ["flows/main.yaml:3: error: x"], "the check failed with 1 error(s)"),
])
def test_who_may_publish(actor, change, author, approver, errors, refused):
    found = may_publish(actor, change, author, approver, errors)
    assert found is None if refused is None else refused in (found or "")


@pytest.mark.parametrize("actor, change, refused", [
    (ED, WORDING, None), (ED, SPANISH, "translations (es) are for translators"),
    (TOMAS, SPANISH, None), (TOMAS, WORDING, "English content and services are for editors"),
    (Actor("t@l.org", TRANSLATOR, ("pl",)), SPANISH, "translates pl, not es"),
    (PAT, FACT, None), (Actor("a@l.org", "admin"), WORDING, "content is changed by"),
])
def test_who_may_draft_what(actor, change, refused):
    found = may_author(actor, change)
    assert found is None if refused is None else refused in (found or "")


def test_an_author_never_approves_their_own_draft():
    assert may_approve(QUINN, "pat@l.org") is None
    assert "wrote this draft" in (may_approve(PAT, "pat@l.org") or "")
    assert "only a publisher approves" in (may_approve(ED, "pat@l.org") or "")


def test_a_node_only_the_draft_added_lands_after_the_node_before_it():
    base = FILES[MAIN]
    published = base.replace(b"People answer, day and night.", b"People answer, always.")
    page = b"  extra:\n    type: page\n    title: X\n    text: Y\n    source: Z\n\n"
    draft = base.replace(b"  talk:\n", page + b"  talk:\n")
    merged = merge.merge({MAIN: base}, {MAIN: draft}, {MAIN: published})
    assert merged.conflicts == []
    assert merged.files[MAIN] == published.replace(b"  talk:\n", page + b"  talk:\n")


def test_strings_merge_one_by_one_and_the_same_string_twice_is_a_conflict():
    base = FILES[ES]
    theirs = base.replace(b'msgstr "Sus derechos"', b'msgstr "Derechos"')
    mine = base.replace(b'"Puede guardar silencio."', b'"Puede callar."')
    merged = merge.merge({ES: base}, {ES: mine}, {ES: theirs})
    assert merged.conflicts == [] and b'msgstr "Derechos"' in merged.files[ES] and b"Puede callar." in merged.files[ES]
    clash = merge.merge({ES: base}, {ES: base.replace(b'msgstr "Sus derechos"', b'msgstr "Tus derechos"')},
                        {ES: theirs})
    assert clash.conflicts == [f'{ES} string rights "Your rights"']


def test_cutting_a_file_into_blocks_loses_no_byte():
    for path, data in FILES.items():
        found = merge.blocks(path, data)
        assert found is None or "".join(text for _, text in found).encode() == data


def test_database_urls_as_platforms_give_them(tmp_path):
    from hotline.store.db import database_url

    assert database_url("postgres://u:p@db.example:5432/line", tmp_path) == "postgresql+psycopg://u:p@db.example:5432/line"
    assert database_url("postgresql://u@db/line", tmp_path) == "postgresql+psycopg://u@db/line"
    assert database_url(None, tmp_path / "instance") == f"sqlite:///{tmp_path / 'instance' / 'hotline.sqlite3'}"
    assert (tmp_path / "instance").is_dir()
