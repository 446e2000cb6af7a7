"""Content as files, as the store keeps and exports them (`hotline.content.files` says what a
version's files are)."""
from __future__ import annotations

from pathlib import Path

from hotline.content.files import FLOWS, GLOSSARY, TRANSLATIONS, Files, digest, files_from_dirs, write_files

__all__ = ["FLOWS", "GLOSSARY", "TRANSLATIONS", "Files", "content_hash", "export", "files_from_dirs", "write_files"]


def export(files: Files, root: Path) -> None:
    """Make `root/flows` and `root/translations` hold exactly `files` (other content files there,
    such as a catalog this version does not have, are removed; README.md and the like stay)."""
    stale = set(files_from_dirs(root / FLOWS, root / TRANSLATIONS)) - set(files)
    for name in stale:
        (root / name).unlink()
    write_files(files, root)


def content_hash(files: Files) -> str:
    """The whole SHA-256 of the content (blobs are stored by it): equal files, equal hash."""
    return digest(files, 64)
