"""What a machine translation must not touch: numbers, phone numbers, placeholders, URLs,
e-mail addresses and markup are replaced by sentinels before translation and put back
after, and a draft that lost, repeated, invented or changed any of them is refused."""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

# Order matters: earlier alternatives win at the same position.
_PROTECTED = re.compile(
    r"""
      \{[^{}\s]*\}                                   # {name} {0} {n:,}  (str.format)
    | %(?:\([^()\s]+\))?[-\#0+]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[sdiuoxXeEfFgGcra%]
                                                     # %(name)s %s %d %%  (printf)
    | <[^<>\s][^<>]*>                                # <b> </b> <break time="1s"/> (markup)
    | (?:https?://|www\.)[^\s<>"]*[^\s<>".,;:!?)\]'] # URLs
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                   # e-mail addresses
    | \b[\w-]+(?:\.[\w-]+)*\.(?:gov|org|com|net|edu|us|info|io)\b(?:/[^\s<>"]*[^\s<>".,;:!?)\]'])?
                                                     # bare domains: uscis.gov, ice.gov/detain
    | \+?(?:\d{1,3}[\s.-]?)?\(\d{1,4}\)[\s.-]?\d+(?:[-.]\d+)*
                                                     # (866) 223-2817, +1 (866) 223-2817
    | \+?\d+(?:[-.,:/]\d+)*                          # 1-855-435-7693 311 898-211 1,000 9:30 3.5
    """,
    re.VERBOSE,
)

# Sentinel: "ZQX" + two capital letters. Plain ASCII letters go through SentencePiece
# and NMT models like an unknown acronym (copied), unlike digits (which models reformat,
# e.g. 1,000 -> 1.000) or punctuation-heavy markers (which they drop or space out).
_SENTINEL_HEAD = "ZQX"
SENTINEL = re.compile(_SENTINEL_HEAD + r"([A-Z]{2})", re.IGNORECASE)
_MAX_ITEMS = 26 * 26


def protected_items(text: str) -> list[str]:
    """The numbers, phone numbers, placeholders, URLs, etc. in ``text``, in order."""
    return [m.group(0) for m in _PROTECTED.finditer(text)]


def _sentinel(index: int) -> str:
    return _SENTINEL_HEAD + chr(65 + index // 26) + chr(65 + index % 26)


def protect(text: str) -> tuple[str, list[str]]:
    """Replace each protected item by a unique sentinel; return masked text and items.

    Raises ValueError if the text already contains sentinel-like text or has more items
    than sentinels (both absurd for hotline strings, and both would make restore unsafe).
    """
    if SENTINEL.search(text):
        raise ValueError("text already contains the masking sentinel")
    items: list[str] = []

    def sub(m: re.Match[str]) -> str:
        items.append(m.group(0))
        if len(items) > _MAX_ITEMS:
            raise ValueError("too many numbers/placeholders to mask")
        return _sentinel(len(items) - 1)

    return _PROTECTED.sub(sub, text), items


def restore(translated: str, items: Sequence[str], source: str | None = None) -> str:
    """Put the protected items back and verify nothing was lost, duplicated or invented.

    Every sentinel must appear exactly once. If ``source`` is given, the protected items
    of the result must also equal those of the source as a multiset (catches numbers the
    model invented, e.g. "one" -> "1"). Raises ValueError with a readable reason.
    """
    seen: Counter[int] = Counter()
    invented: list[str] = []

    def sub(m: re.Match[str]) -> str:
        code = m.group(1).upper()
        index = (ord(code[0]) - 65) * 26 + (ord(code[1]) - 65)
        if index >= len(items):
            invented.append(m.group(0))
            return m.group(0)
        seen[index] += 1
        return items[index]

    result = SENTINEL.sub(sub, translated)
    problems = []
    missing = [items[i] for i in range(len(items)) if seen[i] == 0]
    doubled = [items[i] for i in range(len(items)) if seen[i] > 1]
    if missing:
        problems.append("lost " + ", ".join(repr(x) for x in missing))
    if doubled:
        problems.append("repeated " + ", ".join(repr(x) for x in doubled))
    if invented:
        problems.append("unknown placeholder " + ", ".join(repr(x) for x in invented))
    if not problems and source is not None:
        want, got = Counter(protected_items(source)), Counter(protected_items(result))
        if want != got:
            lost = list((want - got).elements())
            extra = list((got - want).elements())
            if lost:
                problems.append("lost " + ", ".join(repr(x) for x in lost))
            if extra:
                problems.append("added " + ", ".join(repr(x) for x in extra))
    if problems:
        raise ValueError("numbers/placeholders changed: " + "; ".join(problems))
    return result
