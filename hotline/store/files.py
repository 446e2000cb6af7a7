"""Content as files: `Files` maps POSIX paths under the content root (`flows/main.yaml`,
`translations/es/LC_MESSAGES/messages.po`) to their bytes, kept verbatim so that an export is
byte-identical to what came in."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from hotline.lastgood import content_files

Files = Mapping[str, bytes]
FLOWS, TRANSLATIONS = "flows", "translations"


def files_from_dirs(flows: Path, translations: Path) -> dict[str, bytes]:
    """The files `hotline.lastgood.content_files` lists, under `flows/` and `translations/`."""
    out = {}
    for path in content_files(flows, translations):
        base, top = (flows, FLOWS) if path.is_relative_to(flows) else (translations, TRANSLATIONS)
        if path.is_file():
            out[f"{top}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    return out


def write_files(files: Files, root: Path) -> None:
    """Write `files` under `root` (`root/flows/...`, `root/translations/...`)."""
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def export(files: Files, root: Path) -> None:
    """Make `root/flows` and `root/translations` hold exactly `files` (other content files there,
    such as a catalog this version does not have, are removed; README.md and the like stay)."""
    stale = set(files_from_dirs(root / FLOWS, root / TRANSLATIONS)) - set(files)
    for name in stale:
        (root / name).unlink()
    write_files(files, root)


def content_hash(files: Files) -> str:
    """One digest of the whole content: equal files, equal hash."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{len(files[name])}\0".encode())
        digest.update(files[name])
    return digest.hexdigest()
