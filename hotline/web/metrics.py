"""What an operator can watch at `/metrics` (Prometheus text format): aggregate figures
only, never a number, SID or message text, so no label carries anything a caller sent.

Under gunicorn with HOTLINE_METRICS_TOKEN set, every worker writes its figures to
prometheus_client's multiprocess folder (`PROMETHEUS_MULTIPROC_DIR`, set by
`hotline.web.gunicorn_conf`) and `/metrics` adds them up, whichever worker answers; in a
single process (`hotline serve`, tests), or with metrics off, the figures are the process's
own, in memory, and nothing is written to disk.

The folder's files are memory-mapped. prometheus_client makes them sparse, so on a full disk
the first write to a page kills the process (SIGBUS); here every file's space is reserved
when it is made or grown (`posix_fallocate`), and where that fails the figures of that file
go on in memory: they are missing from `/metrics`, the log says so once, `/healthz` fails,
and the resident is answered as ever.
"""
from __future__ import annotations

import contextlib
import logging
import mmap
import os
import struct
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.mmap_dict import _INITIAL_MMAP_SIZE as INITIAL, MmapedDict

log = logging.getLogger("hotline")
FOLDER = "PROMETHEUS_MULTIPROC_DIR"
_dropping = {"pid": 0}  # the process whose figures went to memory


class ReservedMmapedDict(MmapedDict):
    """prometheus_client's file of one process's figures, its disk space reserved before
    it is mapped, so that a write to it can never meet a full disk."""

    def __init__(self, filename: str, read_mode: bool = False) -> None:
        if not read_mode:
            try:
                with open(filename, "ab") as f:
                    if os.fstat(f.fileno()).st_size == 0:
                        os.posix_fallocate(f.fileno(), 0, INITIAL)
            except OSError as exc:
                with contextlib.suppress(OSError):  # an empty file would break /metrics' reading
                    if os.path.getsize(filename) < INITIAL:
                        os.unlink(filename)
                self._in_memory(filename, exc)
                return
        super().__init__(filename, read_mode)  # type: ignore[no-untyped-call]  # MmapedDict has no annotations

    def _in_memory(self, filename: str, exc: OSError) -> None:
        """A full (or read-only) disk: this file's figures live in memory, not on /metrics."""
        # prometheus_client sets _f to None itself when it closes; its attribute has no declared type.
        self._f, self._fname, self._capacity, self._positions = None, filename, INITIAL, {}  # type: ignore[assignment]
        self._m = mmap.mmap(-1, INITIAL)
        self._used = 8
        self._m[0:4] = struct.pack("i", self._used)
        _dropped(exc)

    def _init_value(self, key: str) -> None:
        """Room for one more figure, reserved first (the entry's size as prometheus_client packs it)."""
        encoded = key.encode("utf-8")
        needed = self._used + 4 + len(encoded) + (8 - (len(encoded) + 4) % 8) + 16
        capacity = self._capacity
        while needed > capacity:
            capacity *= 2
        if capacity > self._capacity:
            self._grow(capacity)
        super()._init_value(key)  # type: ignore[no-untyped-call]  # as above

    def _grow(self, capacity: int) -> None:
        if self._f is not None:
            try:
                os.posix_fallocate(self._f.fileno(), 0, capacity)
                self._m = mmap.mmap(self._f.fileno(), capacity)
                self._capacity = capacity
                return
            except OSError as exc:
                _dropped(exc)
                self._f.close()
                self._f = None  # type: ignore[assignment]  # as above
        grown = mmap.mmap(-1, capacity)
        grown[:self._used] = self._m[:self._used]
        self._m, self._capacity = grown, capacity


values.MmapedDict = ReservedMmapedDict  # type: ignore[attr-defined]  # the class its multiprocess values create


def _dropped(exc: OSError) -> None:
    if _dropping["pid"] != os.getpid():
        _dropping["pid"] = os.getpid()
        log.error("metrics: figures dropped, the metrics folder cannot be written (%s); "
                  "/healthz reports it", exc.strerror or type(exc).__name__)


def probe(folder: Path) -> None:
    """Raise OSError unless one more figures file fits in `folder`."""
    path = folder / f".probe-{os.getpid()}"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.posix_fallocate(fd, 0, INITIAL)
        finally:
            os.close(fd)
    finally:
        path.unlink(missing_ok=True)


def writable() -> bool:
    """This process's figures reach the folder and one more file fits there (always true
    when the figures are kept in memory)."""
    folder = os.environ.get(FOLDER)
    if not folder:
        return True
    if _dropping["pid"] == os.getpid():
        return False
    try:
        probe(Path(folder))
    except OSError:
        return False
    return True


REQUESTS = Counter("hotline_requests", "Webhook requests answered, by channel and outcome",
                   ["channel", "outcome"])
WITHOUT_SESSION = Counter("hotline_answers_without_session",
                          "Answers given without a stored session (Redis unavailable or full)", ["channel"])
RELOADS = Counter("hotline_reloads", "Edited flows and catalogs: accepted and served, or refused", ["result"])
CONTENT_REFUSED = Gauge("hotline_content_refused", "1 while a process serves its last good version because the "
                        "newest failed the check or could not be kept", multiprocess_mode="livemax")
LANGUAGES = Gauge("hotline_language_offered", "1 while a language is offered to residents", ["language"],
                  multiprocess_mode="mostrecent")
FALLBACK = Gauge("hotline_strings_fallback", "Strings a language serves in English, from an earlier English, "
                 "or not at all (a broken translation)", ["language", "served"], multiprocess_mode="mostrecent")
LATENCY = Histogram("hotline_request_seconds", "Time to answer a webhook", ["channel"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def content(every: tuple[str, ...], offered: tuple[str, ...], fallback: dict[str, dict[str, int]]) -> None:
    """The figures of the content now served: which languages, and how much of each falls back."""
    for tag in every:
        LANGUAGES.labels(tag).set(1 if tag in offered else 0)
        for served in ("english", "older", "broken"):
            FALLBACK.labels(tag, served).set(fallback.get(tag, {}).get(served, 0))


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    if os.environ.get(FOLDER):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
