"""One language's translation queue, as a translator works through it: what is not translated
yet, what changed in English (the old English, the new English and the earlier translation
side by side), machine drafts waiting for a person, and translations not reviewed yet. Each
string named the way staff know it (its node's English title), never by its msgid alone.

Built from a version's files (the published revision, or the translator's draft), with the
line's own rules (`serving.serve`): what the queue calls translated is what residents get."""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from hotline.content.files import FLOWS, TRANSLATIONS, Files, written
from hotline.content.model import wording_only
from hotline.flow import Flow, load_flow
from hotline.flow.extract import flow_messages, search_messages, service_context
from hotline.languages.comments import Review, beside_draft
from hotline.languages.entries import catalog_state
from hotline.languages.locales import Locale, catalog_path, read_locales
from hotline.languages.po import Key, read_po_bytes
from hotline.languages.serving import CHANGED, DRAFT, PLACEHOLDERS, needed_messages, serve

# Where a string stands, in the order the queue shows them.
TO_UPDATE, TO_TRANSLATE, BROKEN, MACHINE, UNREVIEWED, REVIEWED = (
    "changed", "missing", "broken", "machine", "unreviewed", "reviewed")
SECTIONS = {
    TO_UPDATE: "Changed in English",
    BROKEN: "Translations with the wrong {placeholders}",
    TO_TRANSLATE: "Not translated yet",
    MACHINE: "Drafts to check (machine drafts and unapproved entries)",
    UNREVIEWED: "Translated, not reviewed yet",
    REVIEWED: "Reviewed",
}


def string_id(key: Key) -> str:
    """A short, stable name for a string in addresses (its English may hold any character)."""
    return hashlib.sha256(f"{key[0]}\0{key[1]}".encode()).hexdigest()[:12]


def catalog_file(tag: str) -> str:
    """The catalog's path among a version's files."""
    return catalog_path(Path(TRANSLATIONS), tag).as_posix()


@dataclass(frozen=True)
class Item:
    """One string of one language, with what a translator needs beside it."""

    key: Key
    where: str            # "Your rights: text": the node's English title and which part
    note: str             # where it is shown and how long it may be (the catalog's comment)
    state: str            # TO_UPDATE | TO_TRANSLATE | BROKEN | MACHINE | UNREVIEWED | REVIEWED
    translation: str      # what the catalog holds now (for a machine draft: the draft)
    older: str = ""       # the English it was translated from, before it changed
    earlier: str = ""     # the translation of that older English
    machine: str = ""     # a machine draft of this very English, not served
    detail: str = ""      # what is wrong with the placeholders
    review: Review | None = None
    voided: bool = False  # a review that an edit since has voided

    @property
    def english(self) -> str:
        return self.key[1]

    @property
    def sid(self) -> str:
        return string_id(self.key)


@dataclass(frozen=True)
class Queue:
    tag: str
    locale: Locale
    items: tuple[Item, ...]

    def section(self, state: str) -> list[Item]:
        return [i for i in self.items if i.state == state]

    def find(self, sid: str) -> Item | None:
        return next((i for i in self.items if i.sid == sid), None)

    @property
    def counts(self) -> dict[str, int]:
        return {s: len(self.section(s)) for s in SECTIONS}


_PHRASES = {"keywords": "words residents type", "sms": "text messages", "voice": "phone calls",
            "notice": "notices", "fallback": "when the line cannot answer"}


def _where(flow: Flow, key: Key) -> str:
    context, english = key
    node = flow.nodes.get(context)
    if node is not None:
        part = "title" if english == node.title else "words residents may use" if english == node.also else "text"
        return f"{node.title}: {part}"
    service = next((s for s in flow.services.values() if service_context(s.id) == context), None)
    if service is not None:
        return f"Service {service.name}: {'name' if english == service.name else 'hours'}"
    kind, _, rest = context.partition(".")
    return f"The line's own words, {_PHRASES.get(kind, kind)}: {rest.replace('.', ' ').replace('_', ' ')}"


def _state(reason: str, reviewed: bool) -> str:
    if reason:
        return {CHANGED: TO_UPDATE, PLACEHOLDERS: BROKEN, DRAFT: MACHINE}.get(reason, TO_TRANSLATE)
    return REVIEWED if reviewed else UNREVIEWED


Loaded = tuple[Flow, Mapping[str, Locale]]


def load(files: Files) -> Loaded:
    """The flow and the languages of a version (once, for every language's queue)."""
    with written({p: d for p, d in files.items() if p.startswith(f"{FLOWS}/") or p.endswith("locales.yaml")}) as root:
        return load_flow(root / FLOWS), read_locales(root / TRANSLATIONS)


def build(files: Files, tag: str, loaded: Loaded | None = None) -> Queue:
    """The queue of `tag` in this version of the content."""
    flow, locales = loaded or load(files)
    locale = locales[tag]
    catalog = read_po_bytes(files.get(catalog_file(tag), b""))
    state = catalog_state(catalog)
    shown = needed_messages((m.context, m.text) for m in flow_messages(flow))
    searched = [(m.context, m.text) for node in flow.nodes.values() for m in search_messages(node)]
    served = serve(state, [*shown, *searched], wording_only(flow))
    items = []
    for key in [*shown, *searched]:
        how, entry = served[key], state.entries.get(key)
        message = catalog.get(key[1], context=key[0] or None)
        comments = list(message.auto_comments) if message is not None else []
        machine = (entry.string if entry is not None and entry.machine else "") or (
            beside_draft(message) if message is not None else "")
        items.append(Item(
            key, _where(flow, key), " ".join(comments), _state(how.reason, bool(entry and entry.review)),
            entry.string if entry is not None else "", how.older, how.stale if how.reason == CHANGED else "",
            machine, how.detail, entry.review if entry is not None else None, bool(entry and entry.review_voided)))
    order = list(SECTIONS)
    return Queue(tag, locale, tuple(sorted(items, key=lambda i: order.index(i.state))))


def translated_in(before: Files, after: Files, tag: str) -> list[Item]:
    """The strings of `tag` that `after` (a draft's files) translates differently from `before`
    (its base), as served: what a second speaker reviews on the draft, before it is published;
    for a change of English, with the old English and its translation as `before` has them."""
    earlier = translations(before.get(catalog_file(tag)))
    was = {i.key: i for i in build(before, tag).items}
    return [replace(i, older=was[i.key].older, earlier=was[i.key].earlier) if i.key in was else i
            for i in build(after, tag).items if i.state in (UNREVIEWED, REVIEWED) and earlier.get(i.key) != i.translation]


def translations(data: bytes | None) -> dict[Key, str]:
    """(msgctxt, English) -> translation, of a catalog's translated entries (fuzzy ones are not)."""
    if not data:
        return {}
    return {k: e.string for k, e in catalog_state(read_po_bytes(data)).entries.items() if e.string and not e.fuzzy}


def translators(versions: list[tuple[str, bytes | None]], keys: list[Key]) -> dict[Key, str]:
    """Who gave each string its present translation: `versions` are (author, the catalog they
    made), newest first (a draft, then each revision back to the first). The author of the
    newest version whose translation differs from the one before it; the oldest's author for
    a translation that was there from the start."""
    out: dict[Key, str] = {}
    if not versions:
        return out
    wanted = set(keys)
    later_author, later = versions[0][0], translations(versions[0][1])
    for author, data in versions[1:]:
        before = translations(data)
        for key in list(wanted):
            if later.get(key) != before.get(key):
                out[key] = later_author
                wanted.discard(key)
        if not wanted:
            return out
        later_author, later = author, before
    out.update({k: later_author for k in wanted if k in later})
    return out
