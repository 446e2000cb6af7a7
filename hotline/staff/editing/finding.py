"""Finding the words to change: staff know the sentence residents read, not which page holds
it, so the staff home page and the editor ask for a few of its words and list every page
and service whose words hold them all, each with the passage around them."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.languages.words import normalize

AROUND = 60  # characters shown either side of the words found


@dataclass(frozen=True)
class Found:
    key: str
    title: str
    service: bool
    field: str                      # which field holds the words: "title", "text", "name", "hours"
    passage: tuple[str, str, str]   # before, the words, after


def _passage(text: str, words: list[str]) -> tuple[str, str, str] | None:
    """Where the first word stands in `text` (its own spelling, case and accents), when the
    text holds every word whatever their case and accents."""
    plain = normalize(text)
    if not all(w in plain for w in words):
        return None
    flat = " ".join(text.split())
    at = re.search(re.escape(words[0]), flat, re.IGNORECASE)
    if at is None:
        return "", flat[:2 * AROUND], ""
    start, end = at.span()
    return (("…" if start > AROUND else "") + flat[max(0, start - AROUND):start], flat[start:end],
            flat[end:end + AROUND] + ("…" if end + AROUND < len(flat) else ""))


def find(query: str, nodes: Mapping[str, dict[str, Any]], services: Mapping[str, dict[str, Any]]) -> list[Found]:
    """Pages and menus first, then services, in the order of their files."""
    words = normalize(query).split()
    if not words:
        return []
    out = []
    for entries, service, fields in ((nodes, False, ("title", "text")), (services, True, ("name", "hours"))):
        for key, entry in entries.items():
            for field in fields:
                passage = _passage(str(entry.get(field) or ""), words)
                if passage is not None:
                    out.append(Found(key, str(entry.get("title" if not service else "name") or key), service, field,
                                     passage))
                    break
    return out
