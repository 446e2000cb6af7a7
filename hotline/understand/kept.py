"""The understanding a preloading master prepares (`Lexicon.prepare`), kept in the instance
folder between starts: building it is a third of a start's CPU, reading it back (its
name included) a tenth of that. marshal, not pickle: what is kept is strings, numbers, bytes and
containers, and reading it runs no code. Keyed by everything it was built from (the
content's texts and this package's code), so an edit or an upgrade builds it anew; only
the newest is kept."""
from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger("hotline")
FOLDER = "understanding"  # in the instance folder
_SUFFIX = ".marshal"


@functools.cache
def _code() -> bytes:
    """This package's source: the rules that built what is kept."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.digest()


def key(inputs: Iterable[str]) -> str:
    """The name of what is built from `inputs` by this code, hashed one string at a time."""
    digest = hashlib.sha256(_code())
    for part in inputs:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def read(instance: Path, name: str) -> object | None:
    """What was kept under `name`, or None (never kept, or unreadable: then it is built)."""
    try:
        state: object = marshal.loads((instance / FOLDER / (name + _SUFFIX)).read_bytes())
        return state
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write(instance: Path, name: str, state: Any) -> None:
    """Keep `state` under `name`, whole or not at all, in place of any older one. A folder
    that cannot be written (full, read-only) costs the next start the build, nothing more."""
    folder = instance / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f".{name}.{os.getpid()}"
        part.write_bytes(marshal.dumps(state))
        os.replace(part, folder / (name + _SUFFIX))
        for older in folder.glob("*" + _SUFFIX):
            if older.name != name + _SUFFIX:
                older.unlink(missing_ok=True)
    except (OSError, ValueError) as exc:
        log.warning("the prepared understanding could not be kept in %s (%s): the next start builds it again",
                    folder, getattr(exc, "strerror", None) or type(exc).__name__)
