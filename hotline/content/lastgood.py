"""The last content that passed the check, kept in the instance folder.

Every version a process serves has first passed the check and been kept here, under its
digest, with a `current` link that is swapped atomically. So:

- a process that (re)starts while its source offers a broken version (a half-saved edit),
  or cannot be reached, serves the last good version instead of failing to start;
- all the processes of an instance agree: the one that checked a version first keeps it,
  the others load that same copy without checking it again, and one that finds its source
  broken takes whatever good version the others have kept;
- keeping needs a writable instance folder: while it is full or read-only a new version
  is not served (and is tried again), but the version already kept still starts the line.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hotline.content.files import FLOWS, TRANSLATIONS, Files, write_files

KEEP = 4  # kept versions besides the current one
LOCK = "checking.lock"


@dataclass(frozen=True)
class Kept:
    digest: str
    folder: Path

    @property
    def flows(self) -> Path:
        return self.folder / FLOWS

    @property
    def translations(self) -> Path:
        return self.folder / TRANSLATIONS


class LastGood:
    """The kept versions of one source, under `root` (`instance/content/<source>/`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def keep(self, digest: str, files: Files) -> Kept:
        """Make a checked version the current good one; raises OSError when the folder cannot
        take it (full, read-only), leaving the version kept before current."""
        final = self.root / digest
        if not final.is_dir():
            self.root.mkdir(parents=True, exist_ok=True)
            staging = self.root / f"staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            try:
                write_files(files, staging)
                staging.rename(final)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
                if not final.is_dir():  # else another process kept the same version first
                    raise
        good = self.current()
        if good is None or good.digest != digest:
            link = self.root / f"current.{os.getpid()}"
            link.unlink(missing_ok=True)
            link.symlink_to(digest)
            os.replace(link, self.root / "current")
            self._prune(digest)
        return Kept(digest, final)

    @contextlib.contextmanager
    def one_at_a_time(self) -> Iterator[None]:
        """While a process checks a version, the others of the instance wait, then find it kept
        and only load it: one check per version per instance, not one per process at once.
        Without a writable folder (nothing can be kept then) there is no lock."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock = (self.root / LOCK).open("a")
        except OSError:
            yield
            return
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def current(self) -> Kept | None:
        """The last good version kept, if any process of this instance ever kept one."""
        try:
            digest = os.readlink(self.root / "current")
        except OSError:
            return None
        folder = self.root / digest
        return Kept(digest, folder) if folder.is_dir() else None

    def _prune(self, keep: str) -> None:
        """Remove all but the KEEP newest other versions (another process may be pruning too)."""
        try:
            old = sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("staging-")
                          and p.name != keep), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            return
        for folder in old[KEEP:]:
            shutil.rmtree(folder, ignore_errors=True)
