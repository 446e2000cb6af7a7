"""Which text each string is served in. A string is served in its translation; else, when
staff marked the English change as wording only, in the translation of the English it
replaced, which only the entry's previous msgid (`#| msgid`, written by `hotline i18n
update`) names; else in English. Never an older text: `update` keeps a previous msgid
only where the entry's translation is of that very English, and catalogs keep no
obsolete entries. A translation whose {placeholders} differ from its English's is never
served (it could send a resident to the wrong number). None of this takes a language off
the line."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from hotline.languages import phrases
from hotline.languages.entries import CatalogState, Entry
from hotline.languages.locales import SOURCE
from hotline.languages.placeholders import placeholder_mismatch
from hotline.languages.po import Key

TRANSLATION, OLDER, ENGLISH = "translation", "older", "english"
MISSING, CHANGED, DRAFT, PLACEHOLDERS = "missing", "changed", "draft", "placeholders"
REASONS = {
    CHANGED: "changed in English, not translated yet",
    MISSING: "not translated yet",
    DRAFT: "a draft (fuzzy) no one has approved yet",
    PLACEHOLDERS: "its translation has the wrong {placeholders}",
}


@dataclass(frozen=True)
class Served:
    """How one string reaches residents in one language, and why when not translated."""

    how: str                 # TRANSLATION | OLDER | ENGLISH
    text: str
    reason: str = ""         # why not its own translation: MISSING | CHANGED | DRAFT | PLACEHOLDERS
    detail: str = ""         # the placeholder difference, in words
    line: int = 0            # the catalog line to fix (0: no entry yet)
    older: str = ""          # the earlier English that was translated
    stale: str = ""          # and its translation (for a draft: the draft)


def _older(state: CatalogState, key: Key, entry: Entry | None, needed: frozenset[Key]) -> tuple[str, str]:
    """(earlier English, its translation) for a string whose English changed: the fuzzy
    entry's previous msgid, or, before `hotline i18n update` ran, the closest translated
    entry of the same node that the line no longer uses (shown to translators, never served:
    after two edits it may be older than the English replaced)."""
    if entry and entry.fuzzy and entry.previous and entry.string and not entry.machine:
        return entry.previous, entry.string
    context, english = key
    candidates = {k[1]: e.string for k, e in state.entries.items()
                  if k[0] == context and k not in needed and e.string and not e.fuzzy and not e.machine}
    best = max(candidates, default="", key=lambda old: SequenceMatcher(None, old, english).ratio())
    return (best, candidates[best]) if best else ("", "")


def serve(state: CatalogState | None, needed: Iterable[Key], wording_only: frozenset[Key] = frozenset()
          ) -> dict[Key, Served]:
    """Every needed string of one language -> the text residents get and why."""
    keys = list(needed)
    if state is None:
        return {k: Served(ENGLISH, k[1], MISSING) for k in keys}
    wanted = frozenset(keys)
    out = {}
    for key in keys:
        english, entry = key[1], state.entries.get(key)
        line = entry.line if entry else 0
        if entry and entry.string and not entry.fuzzy:
            wrong = placeholder_mismatch(english, entry.string)
            out[key] = Served(ENGLISH, english, PLACEHOLDERS, wrong, line, stale=entry.string) if wrong else Served(
                TRANSLATION, entry.string, line=line)
        elif entry and entry.string and not entry.previous:  # a draft: approving it would serve it
            out[key] = Served(ENGLISH, english, DRAFT, line=line, stale=entry.string)
        else:
            older, translated = _older(state, key, entry, wanted)
            reason = CHANGED if older or (entry and entry.previous) else MISSING
            replaced = entry is not None and older != "" and older == entry.previous  # its `#| msgid`
            still_true = (key in wording_only and replaced and translated
                          and not placeholder_mismatch(english, translated))
            out[key] = Served(OLDER if still_true else ENGLISH, translated if still_true else english, reason,
                              line=line, older=older, stale=translated)
    return out


def needed_messages(flow_keys: Iterable[Key]) -> list[Key]:
    """Everything a resident can receive: the flows' strings and the line's own phrases."""
    keys = list(dict.fromkeys(flow_keys))
    keys.extend(p for p in phrases.ALL if p not in keys)
    return [(c, t) for c, t in keys]


@dataclass(frozen=True)
class Coverage:
    """One language: how many of its strings are served translated, from an older English,
    or in English, and why (`fallback`: every string not served in its own translation)."""

    tag: str
    total: int
    translated: int
    fallback: Mapping[Key, Served] = field(default_factory=dict)
    reviewed: int = 0
    reviews_voided: int = 0

    @property
    def older(self) -> int:
        return sum(s.how == OLDER for s in self.fallback.values())

    @property
    def english(self) -> int:
        return sum(s.how == ENGLISH for s in self.fallback.values())

    def because(self, reason: str) -> dict[Key, Served]:
        return {k: s for k, s in self.fallback.items() if s.reason == reason}

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def coverage(tag: str, state: CatalogState | None, served: Mapping[Key, Served]) -> Coverage:
    if tag == SOURCE:
        return Coverage(tag, len(served), len(served))
    fallback = {k: s for k, s in served.items() if s.how != TRANSLATION}
    entries = [state.entries[k] for k in served if k in state.entries] if state else []
    return Coverage(tag, len(served), len(served) - len(fallback), fallback,
                    sum(e.review is not None for e in entries), sum(e.review_voided for e in entries))
