"""Which offered language a text is in: CLD2 (pycld2, its model compiled into the wheel,
nothing downloaded) weighed together with the line's own words in each language.

On two-word texts a general detector guesses ("holaa" is Oromo to CLD2, "Kumusta po"
Cebuano, "ICE puka do moich drzwi" English); the line's words (keywords, titles, texts,
`also:` phrases, numbers) are the best evidence it has there, and CLD2 decides longer
texts and the scripts. README "Understanding what residents write" has the measurements.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pycld2  # type: ignore[import-untyped]

from hotline.content import Content
from hotline.understand.vocabulary import FUZZY_MIN, deletes, lexicon, tokens

SLIP = 0.5           # a word that matches with one letter off counts half
TRUST_CLD = 1.0      # CLD2's share (0..1) weighs like a whole word of the line's own
DOUBT_CLD = 0.3      # ... on one word of Latin letters, where it is mostly a guess
SURE = 1.5           # lead over the runner-up for a text to switch a known language
# CLD2's codes that are one of the line's languages under another name.
_CLD_NAMES = {"zh-Hant": "zh", "fil": "tl"}  # Traditional Chinese readers get Simplified


@dataclass(frozen=True)
class Guess:
    """The language (None: the text does not say) and the evidence, for staff to see."""

    lang: str | None
    scores: dict[str, float] = field(default_factory=dict)
    detector: str = ""   # what CLD2 said, e.g. "es 96% reliable"

    @property
    def lead(self) -> float:
        ranked = sorted(self.scores.values(), reverse=True) + [0.0, 0.0]
        return ranked[0] - ranked[1]


def _cld(text: str) -> tuple[dict[str, float], bool, str]:
    try:  # as UTF-8 bytes: a lone surrogate (a broken emoji) becomes "?", not an error
        reliable, _, details = pycld2.detect(text.encode("utf-8", "replace"), bestEffort=True)
    except pycld2.error:  # bytes CLD2 will not read: no opinion
        return {}, False, ""
    found = {_CLD_NAMES.get(code, code).split("-")[0]: percent / 100.0
             for _, code, percent, _ in details if code != "un" and percent}
    said = ", ".join(f"{code} {share:.0%}" for code, share in found.items())
    return found, reliable, said + (" reliable" if reliable and said else "")


def identify(content: Content, text: str) -> Guess:
    """The offered language the text is most likely in, or None when nothing in it tells
    (a digit, "?", an emoji, a name)."""
    words = tokens(text[:320])
    exact, slips = lexicon(content).evidence
    scores: dict[str, float] = {}
    for word in words:
        langs, share = exact.get(word, ()), 1.0
        if not langs and len(word) >= FUZZY_MIN:  # one letter more, less or wrong
            near = [slips.get(word), *(exact.get(d) for d in deletes(word)), *(slips.get(d) for d in deletes(word))]
            langs, share = next((n for n in near if n), ()), SLIP
        for tag in langs:  # a word k languages share counts 1/k for each
            scores[tag] = scores.get(tag, 0.0) + share / len(langs)
    own = dict(scores)
    found, reliable, said = _cld(text)
    latin_word = len(words) < 2 and all(ch.isascii() or ch.isalpha() and ord(ch) < 0x250 for ch in text)
    weight = TRUST_CLD if reliable and not latin_word else DOUBT_CLD
    for tag in content.offered:
        share = found.get(tag.split("-")[0], 0.0)
        if share:
            scores[tag] = scores.get(tag, 0.0) + weight * share
    if not scores:
        return Guess(None, scores, said)
    best = max((t for t in content.offered if t in scores), key=scores.__getitem__)
    told = own.get(best, 0.0) > 0 or weight == TRUST_CLD
    return Guess(best if told else None, scores, said)
