"""Languages: the locale registry (`translations/locales.yaml`) and the gettext catalogs.

English is the source text. A catalog entry that is fuzzy or empty is never served, and a
language is offered to residents only when its catalog covers every string the line
uses (the publish gate). Adding a language is a catalog and a row in locales.yaml.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from collections.abc import Iterable, Mapping

import yaml
from babel import Locale as BabelLocale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po

from hotline import phrases
from hotline.phrases import Phrase

SOURCE = "en"
LOCALES_FILE = "locales.yaml"
SMS_POLICIES = ("gsm7", "fold", "unicode")
Key = tuple[str, str]  # (msgctxt, msgid)
# Who reviewed a catalog, in its header comment (Babel keeps comments, not unknown headers):
#   # Reviewed-By: Ana Example <ana@example.org>, 2026-12-01
REVIEWED_BY = re.compile(r"^#\s*Reviewed-By:\s*(\S.*)$", re.MULTILINE)


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
        out[tag] = Locale(
            tag=tag, name=name[:1].upper() + name[1:], say_language=raw.get("say"),
            voice=raw.get("voice"), speech_language=raw.get("speech"), sms=sms,
            rtl=bool(babel) and babel.character_order == "right-to-left",
        )
    return out


def catalog_path(folder: Path, tag: str) -> Path:
    return folder / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"


@dataclass(frozen=True)
class CatalogState:
    """What a catalog holds for the strings the line needs."""

    translated: dict[Key, str]
    fuzzy: frozenset[Key]
    reviewer: str


def read_catalog(path: Path) -> CatalogState:
    """Translated, non-fuzzy entries only are kept for serving."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    translated: dict[Key, str] = {}
    fuzzy = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        key = (message.context or "", message.id)
        if message.fuzzy:
            fuzzy.add(key)
        elif message.string:
            translated[key] = message.string
    found = REVIEWED_BY.search(catalog.header_comment or "")
    reviewer = found.group(1).strip() if found else ""
    return CatalogState(translated, frozenset(fuzzy), reviewer)


# Letters that Unicode does not take apart into a base and an accent.
_BARE = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ı": "i", "ß": "ss"})
# Below this code point (Latin, Greek, Cyrillic, Arabic...) marks are optional accents and
# vowel points; from Devanagari on, marks are vowels that change the word (बंद is not बाद).
_ACCENTED_SCRIPTS_END = 0x0900


def normalize(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter when matching words."""
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


@dataclass
class Texts:
    """One language's strings. Lookups fall back to the English source, never to a fuzzy entry."""

    locale: Locale
    messages: Mapping[Key, str] = field(default_factory=dict)

    def get(self, context: str, text: str) -> str:
        return self.messages.get((context, text)) or text

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
    def navigation(self) -> dict[str, str]:
        """word -> navigation action, computed once per catalog."""
        table = {}
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
    tag: str
    total: int
    translated: int
    fuzzy: int
    missing: int
    reviewer: str

    @property
    def complete(self) -> bool:
        return self.translated == self.total and self.fuzzy == 0


def coverage(tag: str, state: CatalogState | None, needed: list[Key]) -> Coverage:
    if tag == SOURCE:
        return Coverage(tag, len(needed), len(needed), 0, 0, "source")
    if state is None:
        return Coverage(tag, len(needed), 0, 0, len(needed), "")
    done = sum(1 for k in needed if k in state.translated and k not in state.fuzzy)
    fuzzy = sum(1 for k in needed if k in state.fuzzy)
    return Coverage(tag, len(needed), done, fuzzy, len(needed) - done - fuzzy, state.reviewer)


def extract_catalog(flows: Path, code: Path) -> Catalog:
    """The template: every flow string (msgctxt = node id) and every phrase of the code,
    with translator comments saying where each is shown. `pybabel extract -F babel.cfg`
    gives the same for the standard layout."""
    from hotline.flow.extract import extract_flow

    catalog = Catalog(project="hotline", charset="utf-8")
    for path in sorted(flows.glob("*.yaml")):
        label = f"{flows.name}/{path.name}"
        with path.open("rb") as fh:
            for lineno, text, comments, context in extract(extract_flow, fh):
                catalog.add(text, locations=[(label, lineno)], auto_comments=comments, context=context)
    for filename, lineno, text, comments, context in extract_from_dir(
            str(code), method_map=[("**.py", "python")], comment_tags=("NOTE",)):
        catalog.add(text, locations=[(f"{code.name}/{filename}", lineno)], auto_comments=comments,
                    context=context)
    return catalog
