"""Languages: the locale registry (`translations/locales.yaml`) and the gettext catalogs.

English is the source text. Each string falls back on its own (see `serve`): a stale,
missing or broken translation never takes its language off the line; only
`offered: no` in locales.yaml does. Adding a language is a catalog and a row there.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property, lru_cache
from pathlib import Path
from collections.abc import Iterable, Mapping

import yaml
from babel import Locale as BabelLocale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import normalize as po_quoted, read_po, unescape, write_po

from hotline import phrases
from hotline.engine import Action
from hotline.flow.extract import extract_flow
from hotline.phrases import Phrase

SOURCE = "en"
LOCALES_FILE = "locales.yaml"
SMS_POLICIES = ("gsm7", "fold", "unicode")
Key = tuple[str, str]  # (msgctxt, msgid)


@dataclass(frozen=True)
class Locale:
    """How the line speaks one language: its name in itself, voice, speech code, SMS policy."""

    tag: str
    name: str
    say_language: str | None = None
    voice: str | None = None
    speech_language: str | None = None
    sms: str = "unicode"
    rtl: bool = False
    offered: bool = True  # `offered: no` in locales.yaml takes it off the line, on purpose
    fold_traps: tuple[tuple[str, str], ...] = ()  # (word as folded, what it means): staff's list

    @property
    def folds(self) -> bool:
        return self.sms in ("fold", "gsm7")


def read_locales(folder: Path) -> dict[str, Locale]:
    """The registry, in the order residents see the languages."""
    data = yaml.safe_load((folder / LOCALES_FILE).read_text(encoding="utf-8")) or {}
    out = {}
    for tag, raw in data.items():
        raw = raw or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{LOCALES_FILE}: {tag}: write its settings on indented lines (name:, say:, sms: ...)")
        try:
            babel = BabelLocale.parse(str(tag).replace("-", "_"))
        except (ValueError, UnknownLocaleError):
            babel = None  # a language CLDR does not know yet: it must give its own name
        name = raw.get("name") or (babel.get_display_name(babel) if babel else None)
        if not name:
            raise ValueError(f"{LOCALES_FILE}: {tag}: not a language CLDR knows; give it a name: line")
        sms = raw.get("sms", "unicode")
        if sms not in SMS_POLICIES:
            raise ValueError(f"{LOCALES_FILE}: {tag}: sms must be one of {SMS_POLICIES}")
        traps = raw.get("fold_traps") or {}
        if not isinstance(traps, dict) or not all(isinstance(v, str) for v in traps.values()):
            raise ValueError(f"{LOCALES_FILE}: {tag}: fold_traps: write one 'word: what it means' per line")
        out[tag] = Locale(
            tag=tag, name=name[:1].upper() + name[1:], say_language=raw.get("say"),
            voice=raw.get("voice"), speech_language=raw.get("speech"), sms=sms,
            rtl=babel is not None and babel.character_order == "right-to-left", offered=raw.get("offered", True) is not False,
            fold_traps=tuple((str(word).casefold(), meaning) for word, meaning in traps.items()),
        )
    return out


def catalog_path(folder: Path, tag: str) -> Path:
    return folder / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


# Catalog files ---------------------------------------------------------------------------

# A machine draft's translator comment (`hotline i18n draft`, hotline.mt): part of the PO
# format the line reads, so that a draft is never served as a translation.
DRAFT_COMMENT_PREFIX = "machine draft (Argos Translate"
DRAFT_COMMENT_REVIEW = "needs review by a fluent speaker"


def is_machine_draft(message: Message) -> bool:
    """True if ``message`` carries the machine-draft comment (review still pending)."""
    return any(c.startswith(DRAFT_COMMENT_PREFIX) for c in message.user_comments)


_PREVIOUS_LINE = re.compile(r'^\|\s*(msgid_plural|msgid|msgctxt)?\s*("(?:[^"\\]|\\.)*")\s*$')


def read_po_file(path: Path) -> Catalog:
    return read_po_bytes(path.read_bytes())


def read_po_bytes(data: bytes) -> Catalog:
    """A catalog with its previous msgids (`#| msgid`): Babel's reader keeps those as plain
    comments, and writing them back would lose the hint that tells translators what the
    English said before. Obsolete (`#~`) entries are dropped: they hold superseded texts
    the line must never serve, and no command writes them back. (`po_bytes` writes it back
    byte for byte.)"""
    catalog = read_po(io.BytesIO(data), ignore_obsolete=True)
    for message in catalog:
        lines = [c for c in message.user_comments if c.startswith("|")]
        if not lines or message.previous_id:
            continue
        parts: dict[str, str] = {}
        key: str | None = None
        for line in lines:
            found = _PREVIOUS_LINE.match(line)
            key = (found.group(1) or key) if found else None
            if found is None or key is None or key == "msgctxt":
                break
            parts[key] = parts.get(key, "") + unescape(found.group(2))
        else:
            if "msgid" in parts:
                message.previous_id = [parts["msgid"], *([parts["msgid_plural"]] if "msgid_plural" in parts else [])]
                message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def write_po_file(path: Path, catalog: Catalog) -> None:
    """The one layout every command writes: previous msgids kept, obsolete entries never,
    file names without line numbers (adding a page elsewhere moves no other entry), wrapped
    at 79 columns; written to a temporary file and moved into place, so the running line
    never reads half a file."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(po_bytes(catalog))
    os.replace(temporary, path)


def po_bytes(catalog: Catalog) -> bytes:
    """Babel's layout, with each previous msgid written as GNU gettext reads it. (Babel's own
    `include_previous` wraps `#| msgid "..."` like a comment, in the middle of the string,
    which `msgfmt --check` rejects: so it is added here, as quoted lines.)"""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=79, include_lineno=False, ignore_obsolete=True)
    blocks = buffer.getvalue().decode("utf-8").split("\n\n")  # strings escape newlines: blocks are entries
    for i, message in enumerate((m for m in catalog if m.id), start=1):
        if message.previous_id and i < len(blocks):
            lines = blocks[i].split("\n")
            at = next(n for n, row in enumerate(lines) if row.startswith(("msgctxt ", "msgid ")))
            quoted = po_quoted(message.previous_id[0], width=79).split("\n")
            previous = [f"#| msgid {quoted[0]}", *(f"#| {row}" for row in quoted[1:])]
            blocks[i] = "\n".join(lines[:at] + previous + lines[at:])
    return "\n\n".join(blocks).encode("utf-8")


# Per-string review: a translator comment that names who and when, and a digest of the
# English and the translation it approved; an edit of either voids it.
#   # Reviewed: Ana Example, 2026-12-01, 1f0c9a2b
REVIEWED = "Reviewed:"


@dataclass(frozen=True)
class Review:
    by: str
    on: str


def review_digest(english: str, translation: str) -> str:
    return hashlib.sha256(f"{english}\0{translation}".encode()).hexdigest()[:8]


def review_comment(review: Review, english: str, translation: str) -> str:
    return f"{REVIEWED} {review.by}, {review.on}, {review_digest(english, translation)}"


def _review(comments: Iterable[str], english: str, translation: str) -> tuple[Review | None, bool]:
    """(the review that still holds, whether one was voided by an edit)."""
    voided = False
    for comment in comments:
        if not comment.startswith(REVIEWED):
            continue
        by, _, rest = comment[len(REVIEWED):].strip().rpartition(",")
        who, _, on = by.rpartition(",")
        if rest.strip() == review_digest(english, translation) and translation:
            return Review(who.strip(), on.strip()), False
        voided = True
    return None, voided


@dataclass(frozen=True)
class Entry:
    """One catalog entry, as the line needs it."""

    string: str
    fuzzy: bool
    previous: str        # the English it was translated from, when that changed (`#| msgid`)
    machine: bool        # a machine draft no fluent speaker has approved
    line: int
    review: Review | None = None
    review_voided: bool = False


@dataclass(frozen=True)
class CatalogState:
    """What a catalog holds: its entries."""

    entries: Mapping[Key, Entry]


def read_catalog(path: Path) -> CatalogState:
    return catalog_state(read_po_file(path))


def catalog_state(catalog: Catalog) -> CatalogState:
    entries = {}
    for message in catalog:
        if not message.id or isinstance(message.id, (tuple, list)) or isinstance(message.string, (tuple, list)):
            continue
        english, string = message.id, message.string or ""
        review, voided = _review(message.user_comments, english, string)
        entries[(message.context or "", english)] = Entry(
            string, message.fuzzy, message.previous_id[0] if message.previous_id else "", is_machine_draft(message),
            message.lineno or 0, review, voided)
    return CatalogState(entries)


# Which text each string is served in --------------------------------------------------
# A string is served in its translation; else, when staff marked the English change as
# wording only, in the translation of the English it replaced, which only the entry's
# previous msgid (`#| msgid`, written by `hotline i18n update`) names; else in English.
# Never an older text: `update` keeps a previous msgid only where the entry's translation
# is of that very English, and catalogs keep no obsolete entries. A translation
# whose {placeholders} differ from its English's is never served (it could send a resident
# to the wrong number). None of this takes a language off the line.

TRANSLATION, OLDER, ENGLISH = "translation", "older", "english"
MISSING, CHANGED, DRAFT, PLACEHOLDERS = "missing", "changed", "draft", "placeholders"
REASONS = {
    CHANGED: "changed in English, not translated yet",
    MISSING: "not translated yet",
    DRAFT: "a draft (fuzzy) no one has approved yet",
    PLACEHOLDERS: "its translation has the wrong {placeholders}",
}
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


@lru_cache(maxsize=4096)  # every text is checked against each language's keyword lists
def words(listing: str) -> frozenset[str]:
    """'BACK, RETURN' -> {'back', 'return'}."""
    return frozenset(w for w in (normalize(part) for part in listing.split(",")) if w)


@dataclass
class Texts:
    """One language's strings as served (`serve`): anything not in `messages` is English."""

    locale: Locale
    messages: Mapping[Key, str] = field(default_factory=dict)

    def get(self, context: str, text: str) -> str:
        return self.messages.get((context, text)) or text

    def translates(self, context: str, text: str) -> bool:
        """False when residents get this string in English."""
        return (context, text) in self.messages

    def phrase(self, phrase: Phrase, **values: object) -> str:
        out = self.get(phrase.context, phrase.text)
        return out.format(**values) if values else out

    def keywords(self, phrase: Phrase) -> frozenset[str]:
        """The English words and this language's words for a keyword list."""
        return words(phrase.text) | self.own_keywords(phrase)

    def own_keywords(self, phrase: Phrase) -> frozenset[str]:
        """Only this language's words: what tells that a text is in this language."""
        return words(self.get(phrase.context, phrase.text))

    @cached_property
    def navigation(self) -> dict[str, Action]:
        """word -> navigation action, computed once per catalog."""
        table: dict[str, Action] = {}
        for action, phrase in phrases.NAVIGATION.items():
            for word in self.keywords(phrase):
                table.setdefault(word, action)
        return table


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


def extract_catalog(flows: Path, code: Path) -> Catalog:
    """The template: every flow string (msgctxt = node id) and every phrase of the code,
    with translator comments saying where each is shown. `pybabel extract -F babel.cfg`
    gives the same for the standard layout."""
    catalog = Catalog(project="hotline", charset="utf-8")
    for path in sorted(flows.glob("*.yaml")):
        label = f"{flows.name}/{path.name}"
        with path.open("rb") as fh:
            for lineno, text, comments, context in extract(extract_flow, fh):  # type: ignore[arg-type]
                catalog.add(text, locations=[(label, lineno)], auto_comments=comments, context=context)
    for filename, lineno, text, comments, context in extract_from_dir(
            str(code), method_map=[("**.py", "python")], comment_tags=("NOTE",)):
        catalog.add(text, locations=[(f"{code.name}/{filename}", lineno)], auto_comments=comments,
                    context=context)
    return catalog
