"""Gunicorn settings for the Procfile (`gunicorn --config python:hotline.web.gunicorn_conf ...`).

- The app is loaded once in the master, before workers fork (`preload_app`): every worker
  starts from the same checked content and the same embedded Redis, and a worker that is
  killed (timeout, out of memory) is replaced by a fork of that, never by a fresh import
  that could fail on a half-saved file and take the whole line down.
- With HOTLINE_METRICS_TOKEN set, the figures of all workers are added up through
  prometheus_client's multiprocess folder: emptied when the master starts, checked for room
  (a start refused in one sentence if there is none), removed when the master exits, however
  it exits; a dead worker's live gauges are dropped. Without the token there is no folder:
  each process keeps its figures in memory and nothing is written to disk.
- Logs: one JSON object per line, with time and level, through the privacy filter.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Protocol


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # a worker runs the master's exit handlers too
        shutil.rmtree(folder, ignore_errors=True)


# Decided before the app (and so prometheus_client) is imported: this file is read first.
_metrics: Path | None = None
if os.environ.get("HOTLINE_METRICS_TOKEN"):
    _metrics = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR")
                    or Path(tempfile.gettempdir()) / f"hotline-metrics-{os.getpid()}")
    atexit.register(_remove, _metrics, os.getpid())
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics)
    try:  # figures of an earlier run must not be added to this one's
        shutil.rmtree(_metrics, ignore_errors=True)
        _metrics.mkdir(parents=True)
        from hotline.web import metrics  # after the folder is made: a figure without labels has a file at once

        metrics.probe(_metrics)
    except OSError as exc:
        sys.exit(f"The line cannot start: the metrics folder {_metrics} cannot be written "
                 f"({exc.strerror or exc}); free space in the temporary folder, or set PROMETHEUS_MULTIPROC_DIR "
                 "to a folder with room, or unset HOTLINE_METRICS_TOKEN to turn /metrics off.")
else:
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)

from hotline.web.logs import gunicorn_logconfig  # noqa: E402 - imports the app, and so prometheus_client

preload_app = True
logconfig_dict = gunicorn_logconfig()
accesslog = None  # an access line would carry nothing useful and risks a caller's data


class Worker(Protocol):
    """What these hooks read of gunicorn's worker (gunicorn has no type hints)."""

    pid: int


def post_fork(server: object, worker: Worker) -> None:
    from hotline.content.live import after_fork  # each worker's own content loader thread

    after_fork()


def child_exit(server: object, worker: Worker) -> None:
    if _metrics is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
