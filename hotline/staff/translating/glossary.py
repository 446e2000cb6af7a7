"""A language's glossary of legal terms (`translations/<tag>/glossary.yaml`), kept with its
catalog so that it is part of every revision, drafted and published like a translation.

The file maps each English term to how this language says it, with an optional note:

    administrative warrant:
      use: nakaz administracyjny
      note: signed by an ICE officer, not a judge
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

import yaml

from hotline.content.files import GLOSSARY, TRANSLATIONS

HEADER = ("# Legal terms and how this language says them, kept with the catalog: translators see them\n"
          "# beside every string whose English uses a term (staff pages, Translate > Glossary).\n")


@dataclass(frozen=True)
class Term:
    english: str
    use: str
    note: str = ""


def path_of(tag: str) -> str:
    """The glossary's path among a version's files."""
    return (PurePosixPath(TRANSLATIONS) / tag.replace("-", "_") / GLOSSARY).as_posix()


def read(data: bytes | None) -> list[Term]:
    """The terms, in the file's order; an absent or unreadable file has none (the check does
    not read glossaries: a broken one only hides the terms until it is saved again)."""
    try:
        loaded = yaml.safe_load(data or b"") or {}
    except yaml.YAMLError:
        return []
    if not isinstance(loaded, Mapping):
        return []
    out = []
    for english, value in loaded.items():
        entry = value if isinstance(value, Mapping) else {"use": value}
        out.append(Term(str(english), str(entry.get("use") or ""), str(entry.get("note") or "")))
    return out


def write(terms: list[Term]) -> bytes:
    """The file for these terms (those with an English term), in the order given."""
    body = {t.english.strip(): {"use": t.use.strip(), **({"note": t.note.strip()} if t.note.strip() else {})}
            for t in terms if t.english.strip()}
    return (HEADER + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)).encode("utf-8")


def used_in(terms: list[Term], english: str) -> list[Term]:
    """The terms this English uses, as whole words, whatever their case."""
    return [t for t in terms if re.search(rf"(?<!\w){re.escape(t.english)}(?!\w)", english, re.IGNORECASE)]
