"""The understanding a master prepares is kept in the instance folder: a restart on the same
content reads it back instead of building it (a third of a start's CPU), answers the same,
and an edit, an unwritable folder or a damaged file only cost a build."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from hotline.content import Content, load_content
from hotline.engine import Goto, Offer
from hotline.understand import understand
from hotline.understand.kept import FOLDER
from hotline.understand.search import Index
from hotline.understand.vocabulary import lexicon
from tests.conftest import SMALL

QUESTIONS = {"en": "my boss did not pay my wages", "es": "no me pagaron el salario", "pl": "szef nie zaplacil mi pensji"}


def start(line: Path, instance: Path) -> Content:
    """What a master does at start: load the content and prepare its understanding."""
    content = load_content(line / "flows", line / "translations")
    lexicon(content).prepare(instance)
    return content


def answers(content: Content) -> dict[str, object]:
    return {lang: understand(content, None, text) for lang, text in QUESTIONS.items()}


@pytest.fixture
def builds(monkeypatch) -> list[int]:
    """How many search indexes were built."""
    built: list[int] = []
    build = Index.build.__func__  # type: ignore[attr-defined]

    def counted(cls, *args, **kwargs):
        built.append(1)
        return build(cls, *args, **kwargs)

    monkeypatch.setattr(Index, "build", classmethod(counted))
    return built


def test_a_restart_on_the_same_content_reads_it_back_and_answers_the_same(tmp_path, builds):
    first = answers(start(SMALL, tmp_path))
    assert len(builds) >= 3 and any(isinstance(a, Goto | Offer) for a in first.values())
    builds.clear()
    assert answers(start(SMALL, tmp_path)) == first
    assert builds == []


def test_an_edit_is_understood_at_the_next_start(tmp_path, builds):
    line = tmp_path / "line"
    shutil.copytree(SMALL, line)
    start(line, tmp_path / "instance")
    assert not isinstance(understand(load_content(line / "flows", line / "translations"), None, "zorblax"), Goto)
    flow = line / "flows" / "main.yaml"
    flow.write_text(flow.read_text().replace("title: Unpaid wages", "title: Zorblax"))
    builds.clear()
    edited = start(line, tmp_path / "instance")
    assert builds  # built anew, not read back
    assert understand(edited, None, "zorblax") == Goto("wages", "en", True)
    assert len(list((tmp_path / "instance" / FOLDER).glob("*.marshal"))) == 1  # the older one is gone


def test_a_folder_that_cannot_be_written_or_a_damaged_file_costs_a_build_and_nothing_else(tmp_path, caplog, builds):
    expected = answers(start(SMALL, tmp_path / "good"))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the instance folder should be")
    with caplog.at_level(logging.WARNING, logger="hotline"):
        assert answers(start(SMALL, blocked)) == expected
    assert "could not be kept" in caplog.text

    [kept] = (tmp_path / "good" / FOLDER).glob("*.marshal")
    kept.write_bytes(kept.read_bytes()[:1000])
    builds.clear()
    assert answers(start(SMALL, tmp_path / "good")) == expected
    assert builds
