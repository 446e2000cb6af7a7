"""A catalog's missing entries drafted by machine: each English masked, cut into sentences,
translated in one batch, restored and checked; a draft that fails a check is left out and
reported. Drafts are fuzzy and marked, so the line keeps serving English until a fluent
speaker approves them; a person's earlier translation keeps its place, with the draft of
the new English beside it."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

from babel.messages.catalog import Catalog, Message

from hotline.languages.comments import drafted_beside, is_machine_draft, mark_drafted, put_beside
from hotline.languages.machine.argos import argos_codes, package_label, read_metadata, resolve_package
from hotline.languages.machine.masking import protect, restore
from hotline.languages.machine.sentences import segments
from hotline.languages.machine.translator import Drafter
from hotline.languages.po import read_po_file, write_po_file


class SupportsTranslate(Protocol):
    """What :func:`draft_catalog` needs from a drafter (a loaded package, or a test's own)."""

    @property
    def label(self) -> str: ...

    def translate(self, texts: Sequence[str]) -> list[str]: ...


@dataclass
class Rejection:
    """An entry left untranslated, and why."""

    msgid: str
    reason: str


@dataclass
class DraftReport:
    """What :func:`draft_catalog` did: counts plus the reason for every rejection."""

    from_code: str
    to_code: str
    package: str
    drafted: int = 0
    already_translated: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def summary(self) -> str:
        """One human line plus one line per rejection, for the CLI."""
        lines = [
            f"{self.from_code}->{self.to_code} ({self.package}): drafted {self.drafted}, "
            f"rejected {len(self.rejected)}, already translated {self.already_translated}"
        ]
        lines += [f"  rejected {r.msgid!r}: {r.reason}" for r in self.rejected]
        return "\n".join(lines)


def _is_untranslated(message: Message) -> bool:
    string = message.string
    if isinstance(string, (tuple, list)):
        return not any(string)
    return not string


def _english(message: Message) -> str:
    """A message's (singular) English: Babel types an id as a string or a tuple of forms."""
    return message.id if isinstance(message.id, str) else message.id[0]


def _sources_for(message: Message, num_plurals: int) -> list[str]:
    """English text to draft each msgstr form from (plural forms from msgid_plural)."""
    if isinstance(message.id, str):
        return [message.id]
    singular, plural = message.id[0], message.id[1]
    if num_plurals <= 1:
        return [plural]  # one form covers every n: the generic plural text fits best
    return [singular] + [plural] * (num_plurals - 1)


def _beside(message: Message) -> bool:
    """A fuzzy entry holding a person's translation of an earlier English: its draft goes
    beside it, in a comment, so the translation the line may still serve (wording_only)
    and the translator's starting point are both kept."""
    return message.fuzzy and not _is_untranslated(message) and not is_machine_draft(message)


class _Form(NamedTuple):
    """One form of an entry's English, masked and cut into (translate?, piece) segments."""

    source: str
    items: list[str]
    segments: list[tuple[bool, str]]


def _masked(source: str) -> _Form:
    masked, items = protect(source)
    return _Form(source, items, segments(masked))


def _restored(form: _Form, translated: Mapping[str, str]) -> str:
    """The draft of one form from its sentences' translations; ValueError says why not."""
    pieces = []
    for is_text, piece in form.segments:
        out = translated.get(piece, "") if is_text else piece
        if is_text and not out.strip():
            raise ValueError(f"empty translation for {piece!r}")
        pieces.append(out)
    return restore("".join(pieces), form.items, source=form.source)


def _needs_draft(message: Message) -> bool:
    return bool(message.id) and (_is_untranslated(message) or (_beside(message) and not drafted_beside(message)))


def draft_catalog(
    catalog: Catalog, from_code: str, to_code: str, drafter: SupportsTranslate
) -> DraftReport:
    """Fill empty msgstrs with fuzzy, commented machine drafts; reject unsafe drafts. A fuzzy
    entry whose English changed gets its draft in a comment beside the translation it has.

    Skips the header and translated entries. Each English string is masked, split into
    sentences, translated in one batch, restored and checked; an entry with any failing
    form is left untranslated and listed in the report.
    """
    d_from, d_to = getattr(drafter, "from_code", None), getattr(drafter, "to_code", None)
    if (d_from and d_from != from_code) or (d_to and d_to != to_code):
        raise ValueError(f"drafter translates {d_from}->{d_to}, not {from_code}->{to_code}")
    label = getattr(drafter, "label", None) or f"translate-{from_code}_{to_code}"
    report = DraftReport(from_code=from_code, to_code=to_code, package=label)
    plans: list[tuple[Message, list[_Form]]] = []
    for message in catalog:
        if not message.id:
            continue
        if not _needs_draft(message):
            report.already_translated += 1
            continue
        try:
            plans.append((message, [_masked(source) for source in _sources_for(message, catalog.num_plurals)]))
        except ValueError as exc:
            report.rejected.append(Rejection(_english(message), str(exc)))

    sentences = list(dict.fromkeys(piece for _, forms in plans for form in forms
                                   for is_text, piece in form.segments if is_text))
    translated = dict(zip(sentences, drafter.translate(sentences), strict=True)) if sentences else {}

    for message, forms in plans:
        try:
            drafts = [_restored(form, translated) for form in forms]
        except ValueError as exc:
            report.rejected.append(Rejection(_english(message), str(exc)))
            continue
        if _beside(message):
            put_beside(message, label, drafts)
        else:
            message.string = tuple(drafts) if message.pluralizable else drafts[0]
            message.flags.add("fuzzy")
            mark_drafted(message, label)
        report.drafted += 1
    return report


def draft_po_file(po_path: Path, lang: str, *, drafter: SupportsTranslate | None = None) -> DraftReport:
    """Draft the missing translations of one .po file in place (English -> ``lang``).

    The package is chosen from hotline's tag (zh-Hans -> zh, pt -> pt or pb, ...); the
    model is loaded only if something needs drafting, and the file is rewritten
    (atomically, with babel's usual layout) only if a draft was added.
    """
    po_path = Path(po_path)
    catalog = read_po_file(po_path)
    if drafter is None:
        package = resolve_package(lang)
        meta = read_metadata(package)
        from_code, to_code = meta["from_code"], meta["to_code"]
        if not any(_needs_draft(m) for m in catalog):
            return DraftReport(
                from_code, to_code, package_label(meta),
                already_translated=sum(1 for m in catalog if m.id),
            )
        translator: SupportsTranslate = Drafter(package)
    else:
        translator = drafter
        from_code = getattr(drafter, "from_code", "en")
        to_code = getattr(drafter, "to_code", argos_codes(lang)[0])
    report = draft_catalog(catalog, from_code, to_code, translator)
    if report.drafted:
        write_po_file(po_path, catalog)
    return report
