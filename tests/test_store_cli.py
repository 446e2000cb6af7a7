"""`hotline staff`, `hotline content` and `hotline audit` as an operator types them: each
refusal exits 1 with one sentence; files go out and come back byte for byte."""
from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotline.cli import main
from hotline.store.files import write_files
from tests import store_fixtures as fx


@pytest.fixture
def hotline(database, tmp_path):
    env = {"HOTLINE_INSTANCE": str(tmp_path / "instance"), "HOTLINE_FLOWS": str(fx.SMALL / "flows"),
           "HOTLINE_TRANSLATIONS": str(fx.SMALL / "translations"), "DATABASE_URL": database or ""}

    def run(*args: str, ok: bool = True, stdin: str | None = None, shipped: Path | None = None):
        where = {"HOTLINE_FLOWS": f"{shipped}/flows", "HOTLINE_TRANSLATIONS": f"{shipped}/translations"}
        result = CliRunner().invoke(main, list(args), env={**env, **(where if shipped else {})}, input=stdin,
                                    catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output.strip()

    run("staff", "add", "ed@line.org", "--name", "Ed", "--role", "editor")
    for email in ("pat@line.org", "quinn@line.org"):
        run("staff", "add", email, "--name", email[:4], "--role", "publisher", "--password-stdin",
            stdin="a long enough password\n")
    run("staff", "add", "tomas@line.org", "--name", "Tomás", "--role", "translator", "--lang", "es")
    return run


def one_sentence(output: str) -> str:
    assert output.startswith("Error: ") and "\n" not in output, output
    return output


def test_staff_are_added_listed_changed_and_removed(hotline):
    listed = hotline("staff", "list")
    assert "tomas@line.org\ttranslator\tes" in listed and "pat@line.org\tpublisher" in listed
    hotline("staff", "role", "tomas@line.org", "translator", "--lang", "es,pl")
    assert "tomas@line.org\ttranslator\tes,pl" in hotline("staff", "list")
    hotline("staff", "remove", "tomas@line.org")
    assert "tomas" not in hotline("staff", "list")
    assert "no staff account" in one_sentence(hotline("content", "approve", "1", "--by", "tomas@line.org", ok=False))
    assert "not a role" in one_sentence(hotline("staff", "add", "x@line.org", "--name", "X", "--role", "boss",
                                                ok=False))
    link = hotline("staff", "add", "x@line.org", "--name", "X", "--role", "admin")
    assert "/staff/welcome/" in link
    assert "ed@line.org is not an admin" in one_sentence(hotline("staff", "remove", "pat@line.org", "--by",
                                                                 "ed@line.org", ok=False))
    hotline("staff", "role", "ed@line.org", "publisher", "--by", "x@line.org")
    assert "x@line.org\trole changed\ted@line.org" in hotline("audit")


def test_export_import_publish_and_the_refusals_on_the_way(hotline, tmp_path):
    out = tmp_path / "out"
    hotline("content", "export", str(out))
    for top in ("flows", "translations"):
        compared = filecmp.dircmp(out / top, fx.SMALL / top)
        assert not compared.left_only and not compared.diff_files
    main_yaml = out / "flows/main.yaml"
    main_yaml.write_bytes(main_yaml.read_bytes().replace(b"People answer, day and night.", b"People answer."))
    draft = hotline("content", "import", str(out), "--by", "ed@line.org", "--reason", "shorter")
    assert draft == "1"
    status = hotline("content", "status")
    assert "draft 1: in review, not approved; based on revision 1, by ed@line.org: shorter" in status
    assert "next: it changes facts (page “Talk to a person”: text): a publisher other than ed@line.org approves it" in status
    assert "node talk text:" in hotline("content", "diff", "1", "d1")
    assert "a publisher other than its author ed@line.org must approve it" in one_sentence(
        hotline("content", "publish", "1", "--by", "pat@line.org", ok=False))
    assert "only a publisher approves" in one_sentence(hotline("content", "approve", "1", "--by", "ed@line.org",
                                                               ok=False))
    hotline("content", "approve", "1", "--by", "quinn@line.org")
    assert hotline("content", "publish", "1", "--by", "pat@line.org") == "draft 1 published as revision 2"
    history = hotline("content", "history").splitlines()
    assert history[1].startswith("2\t")
    assert "by ed@line.org\tapproved by quinn@line.org\tPUBLISHED\tcheck passed\tshorter" in history[1]
    polish = out / "translations/pl/LC_MESSAGES/messages.po"
    hotline("content", "export", str(out), "--revision", "1")
    assert b"People answer, day and night." in main_yaml.read_bytes()
    (out / "flows/tests/extra.yaml").write_bytes(b"name: stale\n")
    (out / "flows/README.md").write_bytes(b"not content\n")
    hotline("content", "export", str(out))  # into a folder holding another revision, like a checkout
    assert not (out / "flows/tests/extra.yaml").exists() and (out / "flows/README.md").exists()
    assert b"People answer." in main_yaml.read_bytes()
    assert b'msgctxt "talk"\nmsgid "People answer."' in polish.read_bytes()  # published, the catalogs follow the English
    restored = one_sentence(hotline("content", "restore", "1", "--by", "pat@line.org", "--reason", "undo", ok=False))
    assert "draft 2 holds the restore" in restored and "must approve it" in restored
    hotline("content", "approve", "2", "--by", "quinn@line.org")
    assert hotline("content", "publish", "2", "--by", "pat@line.org") == "draft 2 published as revision 3"


def test_broken_yaml_is_one_readable_error_and_nothing_is_stored(hotline, tmp_path):
    out = tmp_path / "out"
    hotline("content", "export", str(out))
    (out / "flows/main.yaml").write_text("nodes:\n  main:\n    type: menu\n    text: [unclosed\n")
    error = one_sentence(hotline("content", "import", str(out), "--by", "ed@line.org", "--reason", "x", ok=False))
    assert error.startswith("Error: nothing was stored: flows/main.yaml, line ")
    assert "no drafts waiting" in hotline("content", "status")


def test_a_new_release_waits_as_a_draft_and_content_status_says_so(hotline, tmp_path):
    release = tmp_path / "release"
    write_files(fx.shipped(), release)
    services = release / "flows/services.yaml"
    services.write_bytes(services.read_bytes().replace(b"hours: 24 hours\n  source", b"hours: always\n  source"))
    status = hotline("content", "status", shipped=release)
    assert "published: revision 1" in status
    assert "draft 1: in review, not approved; based on revision 1, by release:" in status and "NEW RELEASE" in status
    assert "service helpers hours:" in hotline("content", "diff", "1", "d1")


def test_audit_lists_every_step_and_verify_fails_after_an_edit(hotline, database, tmp_path):
    lines = hotline("audit").splitlines()
    assert any("\tshell\taccount added\ttomas@line.org" in line for line in lines)
    assert hotline("audit", "--csv").splitlines()[0].startswith("seq,at,actor,action")
    assert hotline("audit", "verify").startswith("the audit log is intact")
    from sqlalchemy import text

    from hotline.store.db import make_engine

    engine = make_engine(database, tmp_path / "instance")
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_entry SET actor = 'someone else' WHERE seq = 2"))
    engine.dispose()
    output = hotline("audit", "verify", ok=False)
    assert "entry 2 was changed after it was written" in output
    assert output.endswith("Error: the audit log was changed after it was written.")


def test_sign_in_links_and_passwords_never_reach_the_audit_log(hotline):
    log = hotline("audit", "--csv")
    assert "a long enough password" not in log and "/staff/welcome/" not in log
