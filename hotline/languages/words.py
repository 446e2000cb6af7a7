"""How the line compares words: case, accents, punctuation and spacing do not matter,
except where a mark is a vowel that changes the word."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that Unicode does not take apart into a base and an accent.
_BARE = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ı": "i", "ß": "ss"})
# Below this code point (Latin, Greek, Cyrillic, Arabic...) marks are optional accents and
# vowel points; from Devanagari on, marks are vowels that change the word (बंद is not बाद).
_ACCENTED_SCRIPTS_END = 0x0900


_NOT_ASCII_WORD = re.compile(r"[^a-z0-9#*+]+")


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter when matching words."""
    if text.isascii():  # most texts ("1", "MORE", "hola"): no accents to take apart, the same result
        return " ".join(_NOT_ASCII_WORD.sub(" ", text.lower()).split())
    text = unicodedata.normalize("NFKD", text.casefold().translate(_BARE))
    kept: list[str] = []
    base = " "
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch).startswith("M"):
            if ord(base) >= _ACCENTED_SCRIPTS_END:
                kept.append(ch)
            continue
        base = ch
        kept.append(ch if ch.isalnum() or ch in "#*+" else " ")
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


@lru_cache(maxsize=4096)  # every text is checked against each language's keyword lists
def words(listing: str) -> frozenset[str]:
    """'BACK, RETURN' -> {'back', 'return'}."""
    return frozenset(w for w in (normalize(part) for part in listing.split(",")) if w)
