"""The locale registry (`translations/locales.yaml`): which languages the line offers, in
what order, and how it speaks each one; and where each language's catalog lives."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml
from babel import Locale as BabelLocale, UnknownLocaleError

SOURCE = "en"
LOCALES_FILE = "locales.yaml"
SMS_POLICIES = ("gsm7", "fold", "unicode")


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
        name = raw.get("name") or _cldr_name(str(tag))
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
            rtl=_right_to_left(name), offered=raw.get("offered", True) is not False,
            fold_traps=tuple((str(word).casefold(), meaning) for word, meaning in traps.items()),
        )
    return out


def _cldr_name(tag: str) -> str | None:
    """The language's name in itself, from CLDR (Babel), for a language whose `name:` is
    not written; None for a language CLDR does not know yet. Reading a language's CLDR data
    costs 1 MB and a few milliseconds: the shipped registry names every language."""
    try:
        babel = BabelLocale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    return babel.get_display_name(babel)


def _right_to_left(name: str) -> bool:
    """Written right to left, as its name in itself is (Arabic, Hebrew, Persian, Urdu...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name)


def catalog_path(folder: Path, tag: str) -> Path:
    return folder / tag.replace("-", "_") / "LC_MESSAGES" / "messages.po"
