"""Publish to served: the seconds from a publish in the content store to each worker process
of a running instance serving the new revision.

The publish is made as staff make one, through the store's API in the bench's own process:
an editor imports a change to one text, a second publisher approves it, a publisher
publishes it. The time is taken when the publish has committed. Then each worker is asked
for the version it serves (`/healthz`'s `version`, the digest of the files it serves) on a
keep-alive connection of its own: a worker answers every request of the connections it
accepted, and the kernel, not the client, picks which worker accepts, so connections are
opened until every worker holds one, and psutil tells which worker holds which. A worker's
figure is when its first answer naming the new version arrived.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import psutil

from hotline.content.files import digest, files_from_dirs
from hotline.store import open_store

EDITOR, APPROVER, PUBLISHER = "editor@bench.invalid", "approver@bench.invalid", "publisher@bench.invalid"
NEW_WORDS = "Published by hotline bench."
# The first text of flows/main.yaml, a YAML block scalar: the new words become its first line.
FIRST_TEXT = re.compile(r"^( +text: [>|][-+]?\n)( +)", re.M)
LIMIT = 30.0  # seconds after the publish before a worker that still serves the old version is given up on
LOOK = 0.02   # seconds between rounds of questions


class NotServed(RuntimeError):
    """The change could not be made, or a worker did not serve it within LIMIT."""


def publish(instance: Path, cfg: Mapping[str, Any]) -> tuple[float, str, float]:
    """Make and publish a change to one text in the store of the instance folder `instance`
    (SQLite: the bench never publishes to a DATABASE_URL). Returns when the publish
    committed (time.perf_counter), the digest of the published files, and the seconds the
    publish itself took (the check of the whole content, in this process)."""
    store = open_store(None, instance, files_from_dirs(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"])), cfg)
    try:
        for email, role in ((EDITOR, "editor"), (APPROVER, "publisher"), (PUBLISHER, "publisher")):
            store.add_account(email, email.split("@")[0], role, [], None)
        files = store.files(store.published_number() or 1)
        text, changed = FIRST_TEXT.subn(rf"\1\2{NEW_WORDS}\n\2", files["flows/main.yaml"].decode(), count=1)
        if not changed:
            raise NotServed("flows/main.yaml has no text written as a YAML block (text: > or text: |) to change")
        draft = store.import_files({**files, "flows/main.yaml": text.encode()}, EDITOR, "hotline bench: publish to served")
        store.approve(draft.id, APPROVER)
        started = time.perf_counter()
        revision = store.publish(draft.id, PUBLISHER)
        published = time.perf_counter()
        return published, digest(store.files(revision)), published - started
    finally:
        store.engine.dispose()


def served(port: int, workers: list[psutil.Process], version: str, published: float) -> dict[int, float]:
    """Seconds from `published` to each worker's first answer naming `version` (by pid)."""
    waiting = {w.pid: w for w in workers}
    held: dict[int, http.client.HTTPConnection] = {}
    times: dict[int, float] = {}
    try:
        while waiting:
            if time.perf_counter() - published > LIMIT:
                raise NotServed(f"workers {sorted(waiting)} did not serve the published revision within {LIMIT:g} s")
            if len(held) < len(waiting):  # a worker without a connection: open one, learn whose it is
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=LIMIT)
                answer = _version(conn)
                pid = _holder(conn, waiting.values())
                if pid is None or pid in held:
                    conn.close()
                else:
                    held[pid] = conn
                _note(times, waiting, pid, answer, version, published)
            for pid, conn in list(held.items()):
                try:
                    answer = _version(conn)
                except (OSError, http.client.HTTPException):  # closed by the worker (keep-alive ended)
                    conn.close()
                    del held[pid]
                    continue
                if _note(times, waiting, pid, answer, version, published):
                    conn.close()
                    del held[pid]
            time.sleep(LOOK)
    finally:
        for conn in held.values():
            conn.close()
    return times


def _version(conn: http.client.HTTPConnection) -> str:
    conn.request("GET", "/healthz")
    version: str = json.loads(conn.getresponse().read())["version"]
    return version


def _holder(conn: http.client.HTTPConnection, workers: Iterable[psutil.Process]) -> int | None:
    """The pid of the worker holding the server's end of `conn`."""
    local = conn.sock.getsockname()[:2]
    for worker in workers:
        with contextlib.suppress(psutil.Error):
            if any(c.raddr and tuple(c.raddr) == local for c in worker.net_connections("tcp")):
                pid: int = worker.pid
                return pid
    return None


def _note(times: dict[int, float], waiting: dict[int, psutil.Process], pid: int | None, answer: str, version: str,
          published: float) -> bool:
    """Record a worker's answer; True when it names the new version."""
    if pid is None or pid not in waiting or answer != version:
        return False
    times[pid] = round(time.perf_counter() - published, 2)
    del waiting[pid]
    return True
