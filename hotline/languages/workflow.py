"""The translators' workflow over the catalogs: merge new English in, export what needs
translating (PO for Poedit and Weblate, CSV for a spreadsheet), import it back, and sign
reviews string by string.

Functions take and return Babel `Catalog`s; reading and writing files is left to
`po.read_po_file` / `write_po_file` and the CLI. `follow_english` does to a version held
in memory (the store's) what `hotline i18n extract` and `update` do to the folders.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from babel import Locale as BabelLocale
from babel.messages.catalog import Catalog, Message

from hotline.content.files import FLOWS, TRANSLATIONS, Files, written
from hotline.languages.comments import REVIEWED, Review, review_comment, without_drafts
from hotline.languages.locales import catalog_path
from hotline.languages.placeholders import placeholder_mismatch
from hotline.languages.po import Key, po_bytes, read_po_bytes
from hotline.languages.serving import PLACEHOLDERS, REASONS, Served
from hotline.languages.template import extract_catalog

CODE = Path(__file__).parents[1]  # the package whose phrases every catalog also holds
CSV_COLUMNS = ("context", "string", "why", "earlier English", "English", "earlier translation", "translation")


def new_catalog(template: Catalog, tag: str) -> Catalog:
    """An empty catalog for a language, with its plural rule from CLDR."""
    catalog = Catalog(locale=BabelLocale.parse(tag.replace("-", "_")), project=template.project,
                      charset="utf-8", fuzzy=False)
    catalog.update(template)
    return catalog


def merge(catalog: Catalog, template: Catalog, dated: bool = True) -> Catalog:
    """Babel's update with fuzzy matching: a changed English turns its entry fuzzy and keeps
    the English it replaced as the previous msgid (`#| msgid`), which translators see and
    which a wording-only change serves the translation of. So a previous msgid is kept only
    where the translation is of that very English: not for Babel's matches across nodes
    (they stay fuzzy suggestions), nor for an entry that was already fuzzy (its translation
    is of an older English still), and a fuzzy entry whose English did not change keeps
    its own. (English no longer used is not written back: see `po.write_po_file`.)
    `dated`: the catalog takes the template's creation date (messages.pot's); the store keeps
    no template, so it keeps the catalog's own date (`follow_english`)."""
    before = {_key(m): m for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=dated)
    for message in catalog:
        if not message.id:
            continue
        same = before.get(_key(message))
        replaced = before.get(((message.context or ""), message.previous_id[0])) if message.previous_id else None
        if same is not None:
            message.previous_id = list(same.previous_id) if message.fuzzy else []
        elif replaced is None or replaced.fuzzy:
            message.previous_id = []
    return catalog


def follow_english(files: Files) -> dict[str, bytes]:
    """A version (`hotline.content.files`) with each of its catalogs merged with the English
    its flows say now, by `merge`: what `hotline i18n extract` then `hotline i18n update` do
    to the files, done by the store when it publishes a change of English. So a change marked
    wording-only serves the translation of the English it replaced, and every change of
    English reaches the translators' queue as changed, beside the English it replaced. A
    catalog whose English did not change stays byte for byte the same; no catalog is added
    (a new catalog would offer its language to residents)."""
    with written({p: d for p, d in files.items() if p.startswith(f"{FLOWS}/")}) as root:
        template = extract_catalog(root / FLOWS, CODE)
    out = dict(files)
    every = catalog_path(Path(TRANSLATIONS), "*").as_posix()
    for path in [p for p in files if PurePosixPath(p).match(every)]:
        out[path] = po_bytes(merge(read_po_bytes(files[path]), template, dated=False))
    return out


def _key(message: Message) -> Key:
    return (message.context or "", str(message.id))


@dataclass(frozen=True)
class Todo:
    """One string a language needs translated, as a translator is shown it."""

    key: Key
    name: str            # how staff find it: 'ice, text'
    why: str
    earlier: str         # the English it was translated from, when that changed
    current: str         # what the catalog has now (a draft, or the earlier translation)
    comments: tuple[str, ...]


def to_translate(catalog: Catalog, template: Catalog, fallback: Mapping[Key, Served],
                 names: Mapping[Key, str]) -> list[Todo]:
    """Only the strings residents do not get translated, with what a translator needs."""
    out = []
    for key, served in fallback.items():
        source = template.get(key[1], context=key[0] or None)
        current = catalog.get(key[1], context=key[0] or None)
        string = current.string if current and isinstance(current.string, str) else ""
        out.append(Todo(key, names.get(key, key[0]), REASONS[served.reason] + (f": {served.detail}" if served.detail
                        else ""), served.older, string or ("" if served.reason == PLACEHOLDERS else served.stale),
                        tuple(source.auto_comments) if source else ()))
    return out


def as_po(todos: Iterable[Todo], catalog: Catalog) -> Catalog:
    """For Poedit and Weblate: the new English as msgid, the English it replaced as previous
    msgid, what is there now as a fuzzy msgstr, and why in a comment."""
    out = Catalog(locale=catalog.locale, project=catalog.project, charset="utf-8", fuzzy=False)
    for t in todos:
        out.add(t.key[1], t.current, context=t.key[0] or None, previous_id=t.earlier or (),
                auto_comments=[*t.comments, f"{t.name}: {t.why}"], flags=("fuzzy",) if t.current else ())
    return out


def as_csv(todos: Iterable[Todo]) -> str:
    """For a spreadsheet: fill in the last column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows((t.key[0], t.name, t.why, t.earlier, t.key[1], t.current, "") for t in todos)
    return buffer.getvalue()


def read_csv(text: str) -> dict[Key, str]:
    """(context, English) -> translation, from the rows that have one. A spreadsheet may save
    with commas, semicolons or tabs: whichever the header row uses."""
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text.partition("\n")[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.DictReader(io.StringIO(text), dialect=dialect)
    missing = set(CSV_COLUMNS) - set(rows.fieldnames or ())
    if missing:
        raise ValueError(f"the CSV lacks the column(s) {', '.join(sorted(missing))}; export one to see the layout")
    return {(r["context"], r["English"]): r["translation"] for r in rows if (r.get("translation") or "").strip()}


def from_po(returned: Catalog) -> dict[Key, str]:
    """(context, English) -> translation, from the entries a translator finished (not fuzzy)."""
    return {_key(m): m.string for m in returned
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


@dataclass
class Imported:
    """What an import changed, and what it refused (with why, for the translator)."""

    taken: list[Key] = field(default_factory=list)
    refused: list[tuple[Key, str]] = field(default_factory=list)

    def summary(self, names: Mapping[Key, str]) -> str:
        lines = [f"imported {len(self.taken)} translation(s), refused {len(self.refused)}"]
        lines += [f"  refused {names.get(k, k[0])}: {why}" for k, why in self.refused]
        return "\n".join(lines)


def take(catalog: Catalog, translations: Mapping[Key, str]) -> Imported:
    """Put finished translations into the catalog: each must be for English the catalog
    has now and carry exactly its {placeholders}; a taken entry is no longer fuzzy, no
    longer has a previous msgid, and loses any review and machine-draft note (it is a
    person's new translation)."""
    report = Imported()
    for key, string in translations.items():
        message = catalog.get(key[1], context=key[0] or None)
        if message is None:
            report.refused.append((key, "its English is not in the catalog any more (export again)"))
            continue
        wrong = placeholder_mismatch(key[1], string)
        if wrong:
            report.refused.append((key, f"the translation {wrong}"))
            continue
        message.string = string
        message.flags.discard("fuzzy")
        message.previous_id = []
        message.user_comments = [c for c in without_drafts(message.user_comments) if not c.startswith(REVIEWED)]
        report.taken.append(key)
    return report


def sign(catalog: Catalog, review: Review, contexts: Iterable[str] = (), keys: Iterable[Key] = ()) -> list[Key]:
    """Record that a fluent speaker approved the translated, non-fuzzy entries (of these
    nodes, or these strings, or all); an edit of the English or of the translation voids it."""
    only, strings = set(contexts), set(keys)
    signed = []
    for message in catalog:
        key = _key(message)
        if (not message.id or not isinstance(message.string, str) or not message.string or message.fuzzy
                or (only and key[0] not in only) or (strings and key not in strings)):
            continue
        message.user_comments = [c for c in message.user_comments if not c.startswith(REVIEWED)]
        message.user_comments.append(review_comment(review, key[1], message.string))
        signed.append(key)
    return signed
