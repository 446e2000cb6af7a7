"""One catalog's entries as the line needs them: the string, whether it is fuzzy or a
machine draft, the English it was translated from, and the review that still holds."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from hotline.languages.comments import Review, is_machine_draft, review_of
from hotline.languages.po import Key, read_po_file


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
        review, voided = review_of(message.user_comments, english, string)
        entries[(message.context or "", english)] = Entry(
            string, message.fuzzy, message.previous_id[0] if message.previous_id else "", is_machine_draft(message),
            message.lineno or 0, review, voided)
    return CatalogState(entries)
