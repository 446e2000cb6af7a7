"""SMS encoding and cost: GSM-7 vs UCS-2, segment counts, and folding to GSM-7.

Every place that needs a segment count calls `segments()`, so paging, budgets and the
staff checks always agree with what Twilio bills.
"""
from __future__ import annotations

import functools
import math
import unicodedata

from hotline.channels import MAX_MESSAGE

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = set("^{}\\[~]|€\f")  # each costs two septets
ALPHABET = frozenset(BASIC | EXTENSION)
GSM7, UCS2 = "GSM-7", "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
PART = {GSM7: 153, UCS2: 67}

# What Twilio's Smart Encoding replaces, plus letters NFKD cannot take apart.
_REPLACE = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2002": " ", "\u2003": " ",
    "\u2022": "-", "\u00b7": "-", "\t": " ",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "œ": "oe", "Œ": "OE",
}


def is_gsm7(text: str) -> bool:
    return ALPHABET.issuperset(text)


def encoding(text: str) -> str:
    return GSM7 if is_gsm7(text) else UCS2


def units(text: str, enc: str | None = None) -> int:
    """Length as the network counts it: septets for GSM-7, UTF-16 code units for UCS-2."""
    enc = enc or encoding(text)
    if enc == GSM7:
        return len(text) + sum(map(text.count, EXTENSION))
    return len(text.encode("utf-16-le")) // 2


def segments(text: str) -> int:
    """How many SMS segments Twilio bills for this body."""
    enc = encoding(text)
    n = units(text, enc)
    if n <= SINGLE[enc]:
        return 1
    return math.ceil(n / PART[enc])


def fits(text: str, budget: int) -> bool:
    """Within the segment budget, and a message Twilio accepts: at most MAX_MESSAGE
    (counted as UTF-16 code units, which is never fewer than characters)."""
    return len(text.encode("utf-16-le")) // 2 <= MAX_MESSAGE and segments(text) <= budget


@functools.lru_cache(maxsize=4096)  # the same few letters, folded again for every reply
def fold_char(ch: str) -> str:
    if ch in ALPHABET:
        return ch
    if ch in _REPLACE:
        return _REPLACE[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else ch


def fold(text: str) -> str:
    """Replace characters outside GSM-7 with their nearest GSM-7 form where one exists
    (á->a, ą->a, ł->l, curly quotes, dashes). Characters with no such form stay."""
    if is_gsm7(text):
        return text
    # Each distinct character once, then one pass in C (a reply is hundreds of characters).
    return text.translate({ord(ch): fold_char(ch) for ch in set(text).difference(ALPHABET)})


def offenders(text: str) -> list[str]:
    """The characters that force this text into UCS-2, in order, once each."""
    seen: list[str] = []
    for ch in text:
        if ch not in ALPHABET and ch not in seen:
            seen.append(ch)
    return seen
