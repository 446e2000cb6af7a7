"""A version of the content as files: POSIX paths under the content root (`flows/main.yaml`,
`translations/es/LC_MESSAGES/messages.po`) to their bytes, kept verbatim so that a version
written out is byte-identical to the one read in. This is how versions travel between a
`Source`, the check and the instance's last good copy."""
from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from hotline.languages.locales import LOCALES_FILE

Files = Mapping[str, bytes]
FLOWS, TRANSLATIONS = "flows", "translations"  # the two folders under the content root
GLOSSARY = "glossary.yaml"  # translations/<tag>/glossary.yaml: a language's legal terms, kept with its catalog


def content_files(flows: Path, translations: Path) -> list[Path]:
    """The files a version of the content is made of, in a stable order."""
    return sorted([*flows.glob("*.yaml"), *flows.glob("tests/*.yaml"), translations / LOCALES_FILE,
                   *translations.glob("*/LC_MESSAGES/messages.po"), *translations.glob(f"*/{GLOSSARY}")])


def files_from_dirs(flows: Path, translations: Path) -> dict[str, bytes]:
    """The version on disk now; a file removed while it is read is left out."""
    out = {}
    for path in content_files(flows, translations):
        base, name = (flows, FLOWS) if path.is_relative_to(flows) else (translations, TRANSLATIONS)
        try:
            out[f"{name}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
        except OSError:
            continue
    return out


def write_files(files: Files, root: Path) -> None:
    """Write a version under `root` (`root/flows`, `root/translations`, both made even when
    empty); a path that would leave `root` is refused."""
    for name, data in files.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or relative.parts[0] not in (FLOWS, TRANSLATIONS):
            raise ValueError(f"not a content file: {name!r}")
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for name in (FLOWS, TRANSLATIONS):
        (root / name).mkdir(parents=True, exist_ok=True)


def digest(files: Files, size: int = 20) -> str:
    """A name for exactly these bytes (`size` hex digits, 64 at most): equal versions, equal
    digests, whatever their source."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(f"{name}\0{len(files[name])}\0".encode())
        h.update(files[name])
    return h.hexdigest()[:size]


@contextmanager
def written(files: Files) -> Iterator[Path]:
    """A version written to a temporary folder (the loaders read folders), removed after use;
    labels in reports stay `flows/...` and `translations/...`."""
    with tempfile.TemporaryDirectory(prefix="hotline-content-") as folder:
        write_files(files, Path(folder))
        yield Path(folder)
