"""The locale registry (`translations/locales.yaml`): which languages the line offers, in
what order, and how it speaks each one; and where each language's catalog lives."""
from __future__ import annotations

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
