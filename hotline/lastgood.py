"""The last content that passed `hotline check`, kept in the instance folder.

Every version the line serves is first copied out of `flows/` and `translations/` into a
folder of its own, checked there and, when it passes, published under its digest with a
`current` link that is swapped atomically. So:

- a process that (re)starts while the files on disk are broken (a half-saved edit) serves
  the last good version instead of failing to boot;
- all the processes of an instance agree: the one that checked an edit first publishes
  it, the others load that same copy without checking it again, and one that finds the
  disk broken takes whatever good version the others have published;
- what is served is exactly what was checked, even when a file is saved again mid-check.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from hotline.i18n import LOCALES_FILE

KEEP = 4  # published versions kept besides the current one


def content_files(flows: Path, translations: Path) -> list[Path]:
    """The files a version of the content is made of, in a stable order."""
    return sorted([*flows.glob("*.yaml"), *flows.glob("tests/*.yaml"), translations / LOCALES_FILE,
                   *translations.glob("*/LC_MESSAGES/messages.po")])


@dataclass(frozen=True)
class Version:
    digest: str
    flows: Path
    translations: Path


class LastGood:
    """The published versions of one content source (a flows folder and a translations
    folder), under `instance/content/<source>/`."""

    def __init__(self, instance: Path, flows: Path, translations: Path) -> None:
        self.flows, self.translations = flows, translations
        source = hashlib.sha256(f"{flows.resolve()}\0{translations.resolve()}".encode()).hexdigest()[:16]
        self.root = instance / "content" / source

    def stage(self) -> Version:
        """A private copy of the files as they are now on disk (labels in check reports stay
        `flows/...` and `translations/...`, relative to the copy's folder)."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f"staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        digest = hashlib.sha256()
        bases = {self.flows: folder / "flows", self.translations: folder / "translations"}
        for path in content_files(self.flows, self.translations):
            base = self.flows if path.is_relative_to(self.flows) else self.translations
            relative = path.relative_to(base)
            try:
                data = path.read_bytes()
            except OSError:  # removed while copying: the copy is what it is
                continue
            target = bases[base] / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            digest.update(f"{base.name}/{relative}\0{len(data)}\0".encode())
            digest.update(data)
        for target in bases.values():
            target.mkdir(parents=True, exist_ok=True)
        return Version(digest.hexdigest()[:20], bases[self.flows], bases[self.translations])

    def discard(self, staged: Version) -> None:
        shutil.rmtree(staged.flows.parent, ignore_errors=True)

    def publish(self, staged: Version) -> Version:
        """Make a checked copy the current good version; returns where it now lives."""
        final = self.root / staged.digest
        try:
            staged.flows.parent.rename(final)
        except OSError:  # another process published the same version first (the caller discards the copy)
            pass
        link = self.root / f"current.{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(staged.digest)
        os.replace(link, self.root / "current")
        self._prune(staged.digest)
        return Version(staged.digest, final / "flows", final / "translations")

    def current(self) -> Version | None:
        """The last published good version, if any process of this instance ever had one."""
        try:
            digest = os.readlink(self.root / "current")
        except OSError:
            return None
        folder = self.root / digest
        return Version(digest, folder / "flows", folder / "translations") if folder.is_dir() else None

    def _prune(self, keep: str) -> None:
        old = sorted((p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("staging-")
                      and p.name != keep), key=lambda p: p.stat().st_mtime, reverse=True)
        for folder in old[KEEP:]:
            shutil.rmtree(folder, ignore_errors=True)
