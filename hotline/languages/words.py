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
    each = {ord(ch): _word_char(ch) for ch in set(text)}
    if None not in each.values() or max(text) < chr(_ACCENTED_SCRIPTS_END):
        # No mark, or every mark an accent (nothing from Devanagari on): each character on its
        # own, in one pass in C; the same result as the loop below, several times faster.
        return unicodedata.normalize("NFC", " ".join(text.translate(each).split()))
    kept: list[str] = []
    base = " "
    for ch in text:
        word_char = each[ord(ch)]
        if word_char is None:  # a mark: a vowel of the letter before it, from Devanagari on
            if ord(base) >= _ACCENTED_SCRIPTS_END:
                kept.append(ch)
            continue
        base = ch
        kept.append(word_char)
    return unicodedata.normalize("NFC", " ".join("".join(kept).split()))


@lru_cache(maxsize=8192)  # single characters: a script's letters and marks, not anyone's text
def _word_char(ch: str) -> str | None:
    """What `normalize` makes of a character: None for a mark (an accent, dropped, unless it
    follows a letter of a script from Devanagari on), the character itself in a word, else a space."""
    if unicodedata.combining(ch) or unicodedata.category(ch).startswith("M"):
        return None
    return ch if ch.isalnum() or ch in "#*+" else " "


DENSE_FROM = "\u2e80"  # CJK radicals on: scripts written without spaces between words


def dense(text: str) -> bool:
    """Holds a character of a script written without spaces between words (Chinese,
    Japanese; Korean packs a word with its particles): words are matched as runs of
    characters there, not between spaces. One pass in C."""
    return max(text, default="") >= DENSE_FROM


@lru_cache(maxsize=4096)  # every text is checked against each language's keyword lists
def words(listing: str) -> frozenset[str]:
    """'BACK, RETURN' -> {'back', 'return'}."""
    return frozenset(w for w in (normalize(part) for part in listing.split(",")) if w)
