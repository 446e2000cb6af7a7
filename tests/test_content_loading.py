"""How a process gets the content it serves: each version checked once and loaded once by
the check (each catalog read once), in the process's loader thread, never in a resident's
request; a version that cannot be kept (a read-only instance folder) is not served, never
costs a resident an apology, and is served once it can be kept. The same with real
gunicorn processes is in test_content_processes.py."""
from __future__ import annotations

import collections
import contextlib
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline import config
from hotline.check.version import check_files, run
from hotline.content import model
from hotline.content.files import digest, files_from_dirs
from hotline.flow.model import Kind
from tests.conftest import SMALL, Texter, Twilio

OLD_NUMBER, NEW_NUMBER = "1-855-435-7693", "1-855-435-7600"
APOLOGY = "Sorry, the line has a problem right now"


@pytest.fixture
def line(tmp_path) -> Path:
    """A copy of the small line to edit."""
    shutil.copytree(SMALL, tmp_path, dirs_exist_ok=True)
    return tmp_path


def correct_a_number(line: Path, old: str = OLD_NUMBER, new: str = NEW_NUMBER) -> None:
    """Staff correct a service's number (as written, dialed and spoken), and the flow tests that name it."""
    def forms(number: str) -> list[str]:
        return [number, "+1" + re.sub(r"\D", "", number)[-10:], " ".join(number.split("-")[-1])]

    flows = line / "flows"
    for path in [flows / "services.yaml", *(flows / "tests").glob("*.yaml")]:
        text = path.read_text()
        for before, after in zip(forms(old), forms(new), strict=True):
            text = text.replace(before, after)
        path.write_text(text)


def helpers(app, number: str = "+13125550147") -> str:
    """What a resident asking for a person receives: the helpers' number among it."""
    resident = Texter(Twilio(app.test_client()), number=number)
    resident.text("hello")
    return resident.text("3")


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only: a read-only bind mount as root (root writes through file modes),
    else its mode; skipped where neither is possible."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode:
        pytest.skip("this machine allows no bind mount, so no read-only folder for root")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def test_a_version_is_loaded_once_and_each_catalog_read_once(line, make_app, monkeypatch):
    """Start-up: the check loads the version and that loaded content is what is served."""
    reads: collections.Counter[str] = collections.Counter()
    read = model.read_catalog

    def counted(path: Path):
        reads[path.parent.parent.name] += 1
        return read(path)

    monkeypatch.setattr(model, "read_catalog", counted)
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), INSTANCE=str(line / "instance"))
    catalogs = {p.parent.parent.name for p in (line / "translations").glob("*/LC_MESSAGES/messages.po")}
    assert len(catalogs) == 11
    assert reads == {tag: 1 for tag in catalogs}
    assert OLD_NUMBER in helpers(app)


def test_the_check_hands_back_what_it_loaded_and_problems_carry_their_kind(line):
    cfg = config.read()
    files = files_from_dirs(line / "flows", line / "translations")
    report = check_files(files, cfg)
    assert not report.errors and report.servable is report.content and report.content is not None
    # A broken {placeholder} in one translation is an error that keeps only that string off the line.
    spanish = line / "translations/es/LC_MESSAGES/messages.po"
    spanish.write_text(spanish.read_text().replace("Para español, oprima {digit}.", "Para español, oprima {digito}."))
    # A title the English flow tests still expect, and an option that points nowhere.
    main_yaml = line / "flows/main.yaml"
    main_yaml.write_text(main_yaml.read_text().replace("title: Your rights\n", "title: Rights for all\n"))
    report = run(line / "flows", line / "translations", cfg)
    kinds = [p.kind for p in report.errors]
    assert Kind.LANGUAGE in kinds and Kind.FLOW_TEST in kinds
    assert [p.kind for p in report.refusals] == [Kind.FLOW_TEST] * len(report.refusals)
    assert report.servable is None
    main_yaml.write_text(main_yaml.read_text().replace("options: [wages,", "options: [no_such_page, wages,"))
    report = run(line / "flows", line / "translations", cfg)
    assert [p.kind for p in report.errors][0] == Kind.FLOW  # the cause before the tests it breaks
    main_yaml.write_text("nodes: [this is: not valid")
    assert [p.kind for p in run(line / "flows", line / "translations", cfg).errors] == [Kind.YAML]


def test_no_request_ever_runs_the_check(line, make_app):
    """An edit under traffic: the loader thread checks it; the residents' requests (here the
    test's own thread) only ever read the content."""
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), RELOAD_INTERVAL=0.1,
                   INSTANCE=str(line / "instance"), RATE_PER_MINUTE=10**6, RATE_GLOBAL_PER_MINUTE=10**6)
    live = app.extensions["hotline"].live
    checked_in: list[str] = []
    check = live.check

    def recorded(files):
        checked_in.append(threading.current_thread().name)
        return check(files)

    live.check = recorded
    assert OLD_NUMBER in helpers(app)  # the first request starts the loader thread
    correct_a_number(line)
    deadline = time.monotonic() + 30
    number = 0
    while NEW_NUMBER not in (reply := helpers(app, f"+1312555{number:04d}")):
        assert OLD_NUMBER in reply and time.monotonic() < deadline
        number += 1
    assert checked_in == ["hotline-content"]
    assert threading.current_thread().name not in checked_in


def test_a_version_that_cannot_be_kept_is_retried_never_an_apology(line, make_app, caplog):
    """The instance folder read-only during an edit: the edit passes the check but is not
    served (a restart would not find it), residents keep the last good version without an
    apology, /healthz says why, and it is served at the first look once it can be kept."""
    instance = line / "instance"
    app = make_app(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), RELOAD_INTERVAL=3600,
                   INSTANCE=str(instance))
    live = app.extensions["hotline"].live
    client = app.test_client()
    served = client.get("/healthz").json["content"]["serving"]
    with read_only(instance / "content"):
        correct_a_number(line)
        for _ in range(3):
            assert not live.poll()
            reply = helpers(app)
            assert OLD_NUMBER in reply and APOLOGY not in reply
        health = client.get("/healthz").json
        assert health["status"] == "ok"
        assert health["content"]["serving"] == served and health["content"]["retried"] is True
        assert "no copy of it can be kept" in health["content"]["why"]
        assert caplog.text.count("edit not served") == 1  # said once, tried at every look
    assert live.poll()
    assert NEW_NUMBER in helpers(app)
    health = client.get("/healthz").json["content"]
    assert health == {"serving": digest(files_from_dirs(line / "flows", line / "translations"))}


def test_a_read_only_instance_folder_with_a_good_version_starts_from_it(line, make_app, caplog):
    instance = line / "instance"
    settings = dict(FLOWS=str(line / "flows"), TRANSLATIONS=str(line / "translations"), INSTANCE=str(instance))
    make_app(**settings)  # keeps the version as the last good one
    with read_only(instance / "content"):
        assert OLD_NUMBER in helpers(make_app(**settings))  # the same version: nothing to write
        assert "checked before in this instance: the copy kept in" in caplog.text
        correct_a_number(line)  # a good edit that cannot be kept: the kept version is served, and why
        app = make_app(**settings)
        assert OLD_NUMBER in helpers(app)
        assert "the last good version kept" in caplog.text and "no copy of it can be kept" in caplog.text
        assert app.test_client().get("/healthz").json["content"]["retried"] is True


class Published:
    """A source like a database of published revisions: numbered versions held in memory,
    and a switch to make it stop answering."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.versions, self.now, self.down = {"1": files}, "1", False

    def publish(self, files: dict[str, bytes]) -> None:
        self.now = str(len(self.versions) + 1)
        self.versions[self.now] = files

    def current(self) -> str | None:
        if self.down:
            raise ConnectionError("the database does not answer")
        return self.now

    def files(self, version: str) -> dict[str, bytes]:
        return self.versions[version]


def test_any_source_serves_its_published_versions_and_a_source_down_changes_nothing(line, make_app):
    shipped = files_from_dirs(line / "flows", line / "translations")
    source = Published(shipped)
    app = make_app(CONTENT_SOURCE=source, INSTANCE=str(line / "instance"), RELOAD_INTERVAL=3600)
    live = app.extensions["hotline"].live
    assert OLD_NUMBER in helpers(app)
    correct_a_number(line)
    source.publish(files_from_dirs(line / "flows", line / "translations"))
    assert live.poll() and NEW_NUMBER in helpers(app)
    source.publish({**source.files("2"), "flows/main.yaml": b"nodes: [half saved"})
    assert not live.poll() and NEW_NUMBER in helpers(app)
    health = app.test_client().get("/healthz").json["content"]
    assert health["refused"] == "3" and health["retried"] is False and "not valid YAML" in health["why"]
    source.down = True
    assert not live.poll() and NEW_NUMBER in helpers(app)
    assert app.test_client().get("/healthz").json["content"]["retried"] is True
    source.down = False
    assert not live.poll() and app.test_client().get("/healthz").json["content"] == health
