"""Masked text cut into the pieces a package translates: its sentences, with every
newline and space kept in place between them."""
from __future__ import annotations

import re

from hotline.languages.machine.masking import SENTINEL

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "u.s", "u.s.a",
    "no", "apt", "ave", "blvd", "inc", "a.m", "p.m", "dept", "gov", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun",
}
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])(\s+)(?=\S)")
_HAS_WORDS = re.compile(r"[^\W\d_]", re.UNICODE)


def _split_sentences(line: str) -> list[str]:
    """Split a line into [sentence, separator, sentence, ...] at sentence ends.

    NMT packages are trained on single sentences (argostranslate splits with stanza);
    a cheap regex with an abbreviation guard is enough for short hotline messages.
    """
    parts = _SENTENCE_BREAK.split(line)
    merged: list[str] = [parts[0]]
    for i in range(1, len(parts), 2):
        sep, nxt = parts[i], parts[i + 1]
        last_word = merged[-1].rsplit(None, 1)[-1].rstrip(".!?").lower() if merged[-1].strip() else ""
        if merged[-1].endswith(".") and (last_word in _ABBREVIATIONS or len(last_word) == 1):
            merged[-1] += sep + nxt
        else:
            merged.extend([sep, nxt])
    return merged


def segments(masked: str) -> list[tuple[bool, str]]:
    """Cut masked text into (translate?, piece) keeping every newline and space."""
    out: list[tuple[bool, str]] = []
    for n, line in enumerate(masked.split("\n")):
        if n:
            out.append((False, "\n"))
        core = line.strip()
        if not core:
            out.append((False, line))
            continue
        lead = line[: len(line) - len(line.lstrip())]
        trail = line[len(line.rstrip()):]
        if lead:
            out.append((False, lead))
        for i, piece in enumerate(_split_sentences(core)):
            is_text = i % 2 == 0 and bool(_HAS_WORDS.search(SENTINEL.sub("", piece)))
            out.append((is_text, piece))
        if trail:
            out.append((False, trail))
    return out
