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
import gc
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Protocol

from gunicorn import glogging

from hotline.web.logs import gunicorn_logconfig  # neither imports prometheus_client


def _remove(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # a worker runs the master's exit handlers too
        shutil.rmtree(folder, ignore_errors=True)


# Loading the app makes a few hundred thousand objects that live as long as the line:
# collecting them again and again while they are made is a sixth of the start's CPU.
gc.disable()

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


class Logger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """Gunicorn's logger without the access log: an access line would carry nothing useful
    and risks a caller's data. (Gunicorn counts it on whenever `logconfig_dict` is set, and
    then formats every request's line for a logger that drops it: 3% of a worker's CPU.)"""

    @property
    def access_log_enabled(self) -> bool:
        return False


preload_app = True
logconfig_dict = gunicorn_logconfig()
logger_class = Logger
accesslog = None


def pre_fork(server: object, worker: object) -> None:
    """What the master loaded (and `before_fork` built: what each worker would otherwise build
    for itself) is shared with its workers page by page until one writes to a page. A
    collection writes to every object it looks at, so a worker's first full collection copied
    most of the master's pages (about 30 MB per process): frozen, they are never looked at
    again, in the master or in a worker. Collection goes on for what is made from now on."""
    from hotline.content.live import before_fork

    before_fork()
    gc.freeze()
    gc.enable()


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
