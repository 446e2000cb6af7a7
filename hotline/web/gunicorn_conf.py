"""Gunicorn settings for the Procfile (`gunicorn --config python:hotline.web.gunicorn_conf ...`).

- The app is loaded once in the master, before workers fork (`preload_app`): every worker
  starts from the same checked content and the same embedded Redis, and a worker that is
  killed (timeout, out of memory) is replaced by a fork of that, never by a fresh import
  that could fail on a half-saved file and take the whole line down.
- Metrics from all workers are added up through prometheus_client's multiprocess folder,
  emptied when the master starts; a dead worker's live gauges are dropped.
- Logs: one JSON object per line, with time and level, through the privacy filter.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Set before the app is loaded (this file is read first), so that every process, the
# master included, writes its figures there; emptied now, since figures of an earlier run
# must not be added to this one's.
_metrics = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR")
                or Path(tempfile.gettempdir()) / f"hotline-metrics-{os.getpid()}")
shutil.rmtree(_metrics, ignore_errors=True)
_metrics.mkdir(parents=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics)

from hotline.web.logs import gunicorn_logconfig  # noqa: E402 - imports the app, and so prometheus_client

preload_app = True
logconfig_dict = gunicorn_logconfig()
accesslog = None  # an access line would carry nothing useful and risks a caller's data


def on_exit(server) -> None:
    shutil.rmtree(_metrics, ignore_errors=True)


def post_fork(server, worker) -> None:
    from hotline.content.live import after_fork  # each worker's own content loader thread

    after_fork()


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
