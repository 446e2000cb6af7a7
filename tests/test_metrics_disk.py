"""Metrics never take the line down (real gunicorn processes, the Procfile's command): no
metrics files at all while /metrics is off; with it on and the temporary folder full,
workers forked after the disk filled answer every text (their figures are dropped, not a
SIGBUS), `/healthz` says `failing` until space returns, and a start with the folder full
is refused in one sentence and leaves no folder behind."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline import bench
from tests.conftest import ROOT
from tests.processes import NUMBERS, environment, get, kill_every_worker, small_line, text

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Path]:
    """A 2 MB tmpfs for the metrics folder (root only: skipped, saying so, elsewhere). Named
    by PROMETHEUS_MULTIPROC_DIR: Python's temporary folder passes over a full one."""
    mount = tmp_path / "tmp"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small tmpfs here ({done.stderr.strip() or 'not root'}): a full disk is not simulated")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> Path:
    """Write until the file system refuses: the disk is full."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    with contextlib.suppress(OSError):
        while os.write(fd, b"\0" * 4096):
            pass
    os.close(fd)
    return filler


def health(server: bench.Server) -> tuple[int, dict]:
    status, body = get(server, "/healthz")
    return status, json.loads(body)


def test_no_metrics_files_while_metrics_are_off(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = environment(tmp_path / "instance", TMPDIR=str(temporary), PROMETHEUS_MULTIPROC_DIR=str(temporary / "prom"),
                      **small_line())
    del env["HOTLINE_METRICS_TOKEN"]
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as server:
        assert "1 Your rights" in text(server, NUMBERS[0], "hello")
        assert get(server, "/metrics")[0] == 404
        assert health(server) == (200, health(server)[1]) and health(server)[1]["metrics"] is True
        assert list(temporary.rglob("*")) == []


def test_a_full_temporary_folder_never_silences_the_line(small_disk, tmp_path):
    env = environment(tmp_path / "instance", PROMETHEUS_MULTIPROC_DIR=str(small_disk / "metrics"), **small_line())
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as server:
        assert "1 Your rights" in text(server, NUMBERS[0], "hello")
        filler = fill(small_disk)
        kill_every_worker(server, healthy=False)  # forked after the disk filled: their figures files cannot be made
        for number in NUMBERS[1:11]:
            assert "1 Your rights" in text(server, number, "hello")
        status, body = health(server)
        assert (status, body["status"], body["metrics"]) == (503, "failing", False)
        assert get(server, "/metrics", "metrics-test-token-0123456789")[0] == 200
        filler.unlink()
        kill_every_worker(server, healthy=False)
        assert "1 Your rights" in text(server, NUMBERS[11], "hello")
        assert health(server)[0] == 200
        assert server.proc.poll() is None
    log = (tmp_path / "line.log").read_text()
    assert "SIGBUS" not in log and "signal 7" not in log
    assert "metrics: figures dropped, the metrics folder cannot be written (No space left on device)" in log
    assert list(small_disk.iterdir()) == []  # the master removed its folder


def test_a_start_with_the_folder_full_is_refused_in_one_sentence_and_leaves_nothing(small_disk, tmp_path):
    filler = fill(small_disk)
    env = environment(tmp_path / "instance", PROMETHEUS_MULTIPROC_DIR=str(small_disk / "metrics"))
    start = subprocess.run(bench.procfile_argv("hotline:create_app()", bench.free_port(), env), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert start.returncode != 0
    assert "The line cannot start: the metrics folder" in start.stderr
    assert "No space left on device" in start.stderr and "Traceback" not in start.stderr
    assert list(small_disk.iterdir()) == [filler]


def test_a_failed_start_leaves_no_metrics_folder(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    broken = tmp_path / "flows"
    broken.mkdir()
    (broken / "main.yaml").write_text("nodes:\n  main: [half saved")
    env = environment(tmp_path / "new-instance", TMPDIR=str(temporary), HOTLINE_FLOWS=str(broken))
    start = subprocess.run(bench.procfile_argv("hotline:create_app()", bench.free_port(), env), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert start.returncode != 0 and "The line cannot start" in start.stderr
    assert list(temporary.iterdir()) == []
