"""A translation must carry exactly its English's {placeholders}: one that differs could
send a resident to the wrong number, so it is never served, and translators are told why."""
from __future__ import annotations

import re

_BRACED = re.compile(r"\{([^{}]*)\}")


def placeholder_mismatch(english: str, translation: str) -> str:
    """'' when `translation` carries exactly the {placeholders} of `english`; else what
    differs, in words a translator can act on."""
    want, got = set(_BRACED.findall(english)), set(_BRACED.findall(translation))
    stray = any(ch in _BRACED.sub("", translation) for ch in "{}")
    parts = []
    if want - got:
        parts.append("lacks " + ", ".join(f"{{{n}}}" for n in sorted(want - got)))
    if got - want:
        parts.append("has " + ", ".join(f"{{{n}}}" for n in sorted(got - want)) + ", which the English does not")
    if stray:
        parts.append("has a { or } that closes nothing")
    return "; ".join(parts)


def placeholders_repaired(english: str, translation: str) -> str:
    """`translation` with each wrong placeholder put back as the English has it, where the
    mistake is one for one ({e91} for {e911}): what it reads like once the translator fixes
    it. Otherwise the translation as it is."""
    want, got = _BRACED.findall(english), _BRACED.findall(translation)
    lost, stray = [n for n in want if n not in got], [n for n in got if n not in want]
    if len(lost) != len(stray):
        return translation
    for wrong, right in zip(stray, lost, strict=True):
        translation = translation.replace(f"{{{wrong}}}", f"{{{right}}}", 1)
    return translation
