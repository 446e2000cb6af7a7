"""The small fixture flow with Polish translated, and its English changed the way an editor
changes it (the catalogs then updated as `hotline i18n update` does), for the translator's
workspace tests."""
from __future__ import annotations

from hotline.content.files import FLOWS, Files
from hotline.languages.po import po_bytes, read_po_bytes
from hotline.languages.workflow import follow_english
from hotline.staff.translating.queue import catalog_file
from tests.store_fixtures import shipped

OLD, NEW = "Call {helpers} for help.", "Call {helpers} for free help, day and night."


def polish(english: str) -> str:
    """A stand-in translation that keeps the English's {placeholders}."""
    return f"PL {english}"


def translated(files: Files | None = None, tag: str = "pl") -> dict[str, bytes]:
    """Every string of `tag` translated."""
    out = dict(files or shipped())
    catalog = read_po_bytes(out[catalog_file(tag)])
    for message in catalog:
        if message.id:
            message.string = polish(message.id)
    out[catalog_file(tag)] = po_bytes(catalog)
    return out


def english_changed(files: Files, old: str = OLD, new: str = NEW) -> dict[str, bytes]:
    """`old` reworded in the flow, and every catalog updated from the new English."""
    out = dict(files)
    flow = out[f"{FLOWS}/main.yaml"].decode()
    assert old in flow
    out[f"{FLOWS}/main.yaml"] = flow.replace(old, new).encode()
    return follow_english(out)
