"""The content store on SQLite and PostgreSQL: revision 1, releases as drafts, who may publish
what, merges and conflicts, two publishes at once, the audit chain, export and import."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from hotline import config
from hotline.channels import messaging
from hotline.channels.sms import SmsSettings
from hotline.check.version import gate
from hotline.engine import Reply
from hotline.languages.workflow import follow_english
from hotline.staff.translating import queue
from hotline.store import Refused, store as store_module
from hotline.store.files import write_files
from tests import store_fixtures as fx
from tests.store_fixtures import files_from_dirs
from tests.translating_fixtures import translated

HELP_TEXT = b"    text: Call {helpers} for help.\n"
RIGHTS_TITLE_ES = b'msgstr "Sus derechos"'


def staffed(store):
    """An editor, two publishers and a Spanish translator."""
    for email, role, langs in (("ed@line.org", "editor", []), ("pat@line.org", "publisher", []),
                               ("quinn@line.org", "publisher", []), ("tomas@line.org", "translator", ["es"])):
        store.add_account(email, email.split("@")[0].title(), role, langs, "a long enough password")
    return store


def edited(files: dict[str, bytes], path: str, old: bytes, new: bytes) -> dict[str, bytes]:
    assert old in files[path], f"{old!r} not in {path}"
    return {**files, path: files[path].replace(old, new)}


MAIN, SERVICES, ES = "flows/main.yaml", "flows/services.yaml", "translations/es/LC_MESSAGES/messages.po"


def test_an_empty_store_takes_the_shipped_files_as_revision_1_and_keeps_it(make_store):
    store = make_store()
    assert store.published_number() == 1
    assert store.files(1) == fx.shipped()
    [first] = store.history()
    assert (first.author, first.parent_id) == ("release", None)
    assert make_store().history()[-1].id == 1  # opened again (a restart): nothing new


def test_a_new_release_arrives_as_a_draft_and_never_overwrites_staff_edits(make_store):
    store = staffed(make_store())
    staff_edit = edited(store.files(1), ES, RIGHTS_TITLE_ES, b'msgstr "Tus derechos"')
    draft = store.import_files(staff_edit, "tomas@line.org", "informal address")
    assert store.publish(draft.id, "pat@line.org") == 2

    release = edited(fx.shipped(), MAIN, HELP_TEXT, b"    text: Call {helpers} any time for help.\n")
    store = make_store(release)
    assert store.published_number() == 2  # nothing changed for residents yet
    [waiting] = store.drafts()
    assert (waiting.author, waiting.based_on) == ("release", 1)
    with pytest.raises(Refused, match="must approve"):  # a page's text is a fact
        store.publish(waiting.id, "pat@line.org")
    store.approve(waiting.id, "quinn@line.org")
    live = store.files(store.publish(waiting.id, "pat@line.org"))
    assert b"Tus derechos" in live[ES] and b"any time for help" in live[MAIN]
    assert make_store(release).drafts() == []  # the same release again: no second draft


def test_an_author_never_approves_their_own_draft(make_store):
    store = staffed(make_store())
    draft = store.import_files(edited(store.files(1), SERVICES, b"1-855-435-7693\n  dial: \"+18554357693\"",
                                      b"1-855-435-7694\n  dial: \"+18554357694\""), "pat@line.org", "new number")
    with pytest.raises(Refused, match="pat@line.org wrote this draft"):
        store.approve(draft.id, "pat@line.org")
    refused = store.audit_entries()[-1]
    assert (refused.actor, refused.action, refused.target) == ("pat@line.org", "approval refused", f"draft {draft.id}")
    assert "wrote this draft" in refused.reason and store.audit_verify()[0] == []
    with pytest.raises(Refused, match=r"changes facts \(service “Helpers”: number the voice line connects callers to, phone number residents read\)"):
        store.publish(draft.id, "pat@line.org")
    store.approve(draft.id, "quinn@line.org")
    assert b"1-855-435-7694" in store.files(store.publish(draft.id, "pat@line.org"))[SERVICES]


def test_a_translator_changes_only_their_languages_and_never_publishes(make_store):
    store = staffed(make_store())
    with pytest.raises(Refused, match="translator: English content"):
        store.import_files(edited(store.files(1), MAIN, HELP_TEXT, b"    text: Call {helpers}.\n"),
                           "tomas@line.org", "shorter")
    polish = edited(store.files(1), "translations/pl/LC_MESSAGES/messages.po", b'msgid "Your rights"\nmsgstr ""',
                    b'msgid "Your rights"\nmsgstr "Twoje prawa"')
    with pytest.raises(Refused, match="translates es, not pl"):
        store.import_files(polish, "tomas@line.org", "Polish")
    draft = store.import_files(edited(store.files(1), ES, RIGHTS_TITLE_ES, b'msgstr "Derechos"'), "tomas@line.org",
                               "shorter")
    with pytest.raises(Refused, match="only a publisher publishes"):
        store.publish(draft.id, "tomas@line.org")
    assert store.publish(draft.id, "pat@line.org") == 2  # a translation: one publisher


def test_wording_only_is_published_by_one_publisher_and_a_fact_is_not(make_store):
    store = staffed(make_store())
    reworded = edited(store.files(1), MAIN, HELP_TEXT, b"    text: Phone {helpers} for help.\n    wording_only: text\n")
    draft = store.import_files(reworded, "ed@line.org", "plainer verb")
    assert store.publish(draft.id, "pat@line.org") == 2
    added = edited(store.files(2), MAIN, b"options: [rights, help_line, talk, at_work]", b"options: [rights, talk, at_work]")
    draft = store.import_files(added, "ed@line.org", "fewer options")
    with pytest.raises(Refused, match="must approve"):
        store.publish(draft.id, "pat@line.org")


def sms(files: dict[str, bytes], node: str, lang: str) -> str:
    """What a resident texting in `lang` receives for `node` from these files."""
    content = gate(files, config.read()).content
    assert content is not None
    return "\n".join(messaging.render(content, Reply(node=node, lang=lang), SmsSettings()))


def test_a_wording_only_change_keeps_the_earlier_polish_and_queues_it_as_changed(make_store):
    """As `hotline i18n update` does for the files: published, each catalog follows the new English."""
    store = staffed(make_store(translated()))
    assert sms(store.files(1), "help_line", "pl").startswith("PL Call")
    reworded = edited(store.files(1), MAIN, HELP_TEXT, b"    text: Phone {helpers} for help.\n    wording_only: text\n")
    live = store.files(store.publish(store.import_files(reworded, "ed@line.org", "plainer verb").id, "pat@line.org"))
    assert sms(live, "help_line", "pl").startswith("PL Call") and sms(live, "help_line", "en").startswith("Phone")
    item = queue.build(live, "pl").find(queue.string_id(("help_line", "Phone {helpers} for help.")))
    assert item is not None and (item.state, item.older, item.earlier) == (
        queue.TO_UPDATE, "Call {helpers} for help.", "PL Call {helpers} for help.")

    fact = edited(live, MAIN, b"Phone {helpers} for help.\n    wording_only: text\n", b"Phone {helpers} at night.\n")
    draft = store.import_files(fact, "ed@line.org", "open at night now")
    store.approve(draft.id, "quinn@line.org")
    live = store.files(store.publish(draft.id, "pat@line.org"))
    assert sms(live, "help_line", "pl").startswith("Phone 1-855-435-7693 at night.")  # a fact: English until translated


def test_two_drafts_on_one_base_merge_node_by_node_and_string_by_string(make_store):
    store = staffed(make_store())
    base = store.files(1)
    first = store.import_files(edited(base, MAIN, b"You may stay silent.", b"You may stay silent. Ask for a lawyer."),
                               "ed@line.org", "lawyer")
    second = store.import_files(edited(edited(base, MAIN, b"People answer, day and night.", b"People answer, always."),
                                       ES, RIGHTS_TITLE_ES, b'msgstr "Derechos"'), "pat@line.org", "talk")
    for draft in (first, second):
        store.approve(draft.id, "quinn@line.org")
    store.publish(first.id, "pat@line.org")
    with pytest.raises(Refused, match="ed@line.org is an editor: translations"):
        store.import_files(edited(base, ES, RIGHTS_TITLE_ES, b'msgstr "X"'), "ed@line.org", "not theirs")
    live = store.files(store.publish(second.id, "pat@line.org"))
    assert b"Ask for a lawyer." in live[MAIN] and b"People answer, always." in live[MAIN]
    assert b'msgstr "Derechos"' in live[ES]


def test_both_changing_one_node_stops_the_later_publish_with_a_report(make_store):
    store = staffed(make_store())
    base = store.files(1)
    drafts = [store.import_files(edited(base, MAIN, b"whatever your status.", words), "ed@line.org", "rights")
              for words in (b"whatever your papers.", b"whatever your status says.")]
    for draft in drafts:
        store.approve(draft.id, "quinn@line.org")
    store.publish(drafts[0].id, "pat@line.org")
    with pytest.raises(Refused) as refused:
        store.publish(drafts[1].id, "pat@line.org")
    assert "flows/main.yaml node 'rights'" in str(refused.value) and "Nothing was published" in str(refused.value)
    assert store.published_number() == 2 and b"whatever your papers." in store.files(2)[MAIN]


def test_of_two_publishes_at_once_exactly_one_wins(make_store, monkeypatch):
    store = staffed(make_store())
    base = store.files(1)
    drafts = [store.import_files(edited(base, ES, RIGHTS_TITLE_ES, f'msgstr "Derechos {n}"'.encode()),
                                 "tomas@line.org", f"try {n}") for n in (1, 2)]
    both_read = threading.Barrier(2, timeout=30)
    real_check = store_module.check_files

    def check_after_both_read(files, cfg):
        both_read.wait()  # both publishes have read the published revision before either writes
        return real_check(files, cfg)

    monkeypatch.setattr(store_module, "check_files", check_after_both_read)
    outcomes: list[object] = []

    def publish(draft_id: int) -> None:
        try:
            outcomes.append(store.publish(draft_id, "pat@line.org"))
        except Refused as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=publish, args=(d.id,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [o for o in outcomes if isinstance(o, int)]
    lost = [o for o in outcomes if isinstance(o, Refused)]
    assert won == [2] and len(lost) == 1 and "another publish went first" in str(lost[0])
    assert store.published_number() == 2 and [r.id for r in store.history()] == [1, 2]


def test_the_audit_log_names_each_step_and_finds_an_edited_or_removed_entry(make_store):
    store = staffed(make_store())
    draft = store.import_files(edited(store.files(1), ES, RIGHTS_TITLE_ES, b'msgstr "Derechos"'), "tomas@line.org",
                               "shorter")
    store.publish(draft.id, "pat@line.org")
    actions = [(e.actor, e.action) for e in store.audit_entries()]
    assert ("tomas@line.org", "draft imported") in actions and ("pat@line.org", "published") in actions
    assert store.audit_verify()[0] == []

    def tampered(sql: str) -> list[str]:
        with store.engine.begin() as connection:
            connection.execute(text(sql))
        return store.audit_verify()[0]

    assert any("entry 3 was changed" in p for p in tampered("UPDATE audit_entry SET reason = 'x' WHERE seq = 3"))
    assert "entries 2 to 2 are missing" in tampered("DELETE FROM audit_entry WHERE seq = 2")


def test_removing_the_last_audit_entry_is_found(make_store):
    store = staffed(make_store())
    assert store.audit_verify()[0] == []
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE seq = (SELECT MAX(seq) FROM audit_entry)"))
    assert any("removed from its end" in p for p in store.audit_verify()[0])


def test_export_import_export_is_byte_identical_and_an_old_export_merges(make_store, tmp_path):
    store = staffed(make_store())
    old = tmp_path / "old"
    write_files(store.files(1), old)
    first = store.import_files(edited(store.files(1), MAIN, b"whatever your status.", b"whatever your papers."),
                               "ed@line.org", "rights")
    store.approve(first.id, "quinn@line.org")
    store.publish(first.id, "pat@line.org")
    with pytest.raises(Refused, match="revision 1 exactly"):
        store.import_files(files_from_dirs(old / "flows", old / "translations"), "ed@line.org", "nothing")
    (old / MAIN).write_bytes((old / MAIN).read_bytes().replace(b"People answer, day and night.", b"People answer."))
    draft = store.import_files(files_from_dirs(old / "flows", old / "translations"), "ed@line.org", "talk")
    assert draft.based_on == 1  # found: the revision it was exported from
    store.approve(draft.id, "quinn@line.org")
    live = store.files(store.publish(draft.id, "pat@line.org"))
    assert b"whatever your papers." in live[MAIN] and b"People answer.\n" in live[MAIN]
    again = tmp_path / "again"
    write_files(live, again)
    assert files_from_dirs(again / "flows", again / "translations") == live
    assert live == follow_english({**store.files(2), MAIN: live[MAIN]})  # the rest as it was, the catalogs following


def test_a_migration_that_fails_half_way_leaves_the_schema_as_it_was(make_store, monkeypatch, tmp_path):
    import shutil

    from sqlalchemy import inspect

    from hotline.store import db

    store = make_store()
    broken = tmp_path / "migrations"
    shutil.copytree(db.MIGRATIONS, broken)
    (broken / "versions/0002_half.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\nrevision = '0002'\ndown_revision = '0001'\n"
        "def upgrade():\n    op.create_table('half', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.add_column('revision', sa.Column('extra', sa.Integer))\n"
        "    raise RuntimeError('failed half way')\n")
    monkeypatch.setattr(db, "MIGRATIONS", broken)
    with pytest.raises(RuntimeError, match="failed half way"):
        db.migrate(store.engine)
    assert "half" not in inspect(store.engine).get_table_names()
    assert "extra" not in {c["name"] for c in inspect(store.engine).get_columns("revision")}
    with store.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "0001"
    assert store.files(1) == fx.shipped()


def test_a_store_at_the_newest_migration_starts_without_loading_alembic(make_store, database, tmp_path):
    """A start reads the schema's version (one query) and migrates only when it is behind: the
    version named by the migration files' names is Alembic's own head."""
    import subprocess
    import sys

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hotline.store import db

    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    assert db.newest_migration() == ScriptDirectory.from_config(config).get_current_head()
    store = make_store()
    assert db.schema_version(store.engine) == db.newest_migration()
    again = ("import sys; from pathlib import Path; from hotline.store import open_store; from tests import "
             f"store_fixtures as fx; open_store({database!r}, Path({str(tmp_path / 'instance')!r}), fx.shipped()); "
             "print('alembic' in sys.modules)")
    opened = subprocess.run([sys.executable, "-c", again], capture_output=True, text=True, check=True)
    assert opened.stdout.strip() == "False", opened.stderr


def test_the_line_reads_the_published_revision_through_its_source(make_store):
    from hotline.store.source import DatabaseSource

    store = staffed(make_store())
    source = DatabaseSource(store)
    assert source.current() == "1" and source.files("1") == fx.shipped()
    draft = store.import_files(edited(store.files(1), ES, RIGHTS_TITLE_ES, b'msgstr "Derechos"'), "tomas@line.org",
                               "shorter")
    store.publish(draft.id, "pat@line.org")
    assert source.current() == "2" and b'msgstr "Derechos"' in source.files("2")[ES]


def test_a_draft_sent_back_is_neither_approved_nor_published(make_store):
    store = staffed(make_store())
    draft = store.import_files(edited(store.files(1), ES, RIGHTS_TITLE_ES, b'msgstr "Derechos"'), "tomas@line.org",
                               "shorter")
    store.send_back(draft.id, "pat@line.org", "use the formal address")
    for act in (store.approve, store.publish):
        with pytest.raises(Refused, match="was sent back to its author"):
            act(draft.id, "quinn@line.org")
    assert store.published_number() == 1


def test_a_draft_edited_in_the_staff_pages_goes_to_review_and_an_edit_voids_its_approval(make_store):
    store = staffed(make_store())
    draft = store.working_draft("ed@line.org")
    assert store.working_draft("ed@line.org").id == draft.id  # the same draft until it goes to review
    base = store.files(1)
    changed = edited(base, MAIN, HELP_TEXT, b"    text: Call {helpers} today for help.\n")[MAIN]
    with pytest.raises(Refused, match="is still being edited"):
        store.approve(store.save(draft.id, "ed@line.org", {MAIN: changed}).id, "pat@line.org")
    with pytest.raises(Refused, match="ed@line.org's"):
        store.save(draft.id, "quinn@line.org", {MAIN: changed})
    with pytest.raises(Refused, match="needs a reason"):
        store.ask_review(draft.id, "ed@line.org", " ")
    store.ask_review(draft.id, "ed@line.org", "say when to call")
    store.approve(draft.id, "pat@line.org")
    store.save(draft.id, "ed@line.org", {MAIN: changed.replace(b"today", b"now")})  # back to editing
    store.ask_review(draft.id, "ed@line.org", "say when to call")
    with pytest.raises(Refused, match="must approve"):
        store.publish(draft.id, "pat@line.org")  # the approval was of other words
    store.approve(draft.id, "quinn@line.org")
    number = store.publish(draft.id, "pat@line.org")
    assert b"Call {helpers} now for help." in store.files(number)[MAIN]
    assert store.working_draft("ed@line.org").id != draft.id
    store.save(store.working_draft("ed@line.org").id, "ed@line.org", {MAIN: store.files(number)[MAIN]})
    with pytest.raises(Refused, match="changes nothing"):
        store.ask_review(store.working_draft("ed@line.org").id, "ed@line.org", "nothing")
    actions = [e.action for e in store.audit_entries()]
    assert {"draft started", "draft edited", "review asked", "edit refused"} <= set(actions)
