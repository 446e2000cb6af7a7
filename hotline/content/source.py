"""Where versions of the content come from. A process asks its source, at most once per
`RELOAD_INTERVAL`, for the name of the version to serve now (cheap), and fetches that
version's files only when the name changes (see `hotline.content.live`)."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from hotline.content.files import content_files, files_from_dirs


class Source(Protocol):
    def current(self) -> str | None:
        """A cheap token naming the version to serve now (at most one small query); None: nothing yet."""

    def files(self, version: str) -> Mapping[str, bytes]:
        """That version's files."""


class DirectorySource:
    """The `flows/` and `translations/` folders on this machine (`HOTLINE_FLOWS`,
    `HOTLINE_TRANSLATIONS`): a version is named by the files' sizes and modification times,
    so looking costs a `stat` per file; its files are whatever the folders hold when read."""

    def __init__(self, flows: Path, translations: Path) -> None:
        self.flows, self.translations = Path(flows), Path(translations)
        self.name = hashlib.sha256(f"{self.flows.resolve()}\0{self.translations.resolve()}".encode()).hexdigest()[:16]

    def current(self) -> str | None:
        seen = hashlib.sha256()
        for path in content_files(self.flows, self.translations):
            try:
                st = path.stat()
            except OSError:
                continue
            seen.update(f"{path}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
        return seen.hexdigest()[:20]

    def files(self, version: str) -> Mapping[str, bytes]:
        return files_from_dirs(self.flows, self.translations)
