"""Everything the line says, loaded once: the flow, the languages and their texts.

A `Content` is immutable and swapped in whole; requests never see half an edit.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from hotline.flow import Flow, load_flow
from hotline.flow.extract import flow_messages
from hotline.i18n import (
    SOURCE, Coverage, Locale, Texts, catalog_path, coverage, needed_messages, read_catalog, read_locales,
)


@dataclass(frozen=True)
class Content:
    flow: Flow
    locales: Mapping[str, Locale]
    texts: Mapping[str, Texts]
    coverage: Mapping[str, Coverage]
    offered: tuple[str, ...]

    def texts_for(self, tag: str | None) -> Texts:
        return self.texts.get(tag or SOURCE) or self.texts[SOURCE]


def load_content(flows: Path, translations: Path) -> Content:
    """Load and check the flow and every catalog; raises FlowError on a broken flow."""
    flow = load_flow(flows)
    locales = read_locales(translations)
    needed = needed_messages((m.context, m.text) for m in flow_messages(flow))
    texts: dict[str, Texts] = {}
    cover: dict[str, Coverage] = {}
    for tag, locale in locales.items():
        path = catalog_path(translations, tag)
        state = read_catalog(path) if tag != SOURCE and path.exists() else None
        cover[tag] = coverage(tag, state, needed)
        texts[tag] = Texts(locale, state.translated if state else {})
    offered = tuple(tag for tag in locales if cover[tag].complete)
    return Content(flow=flow, locales=locales, texts=texts, coverage=cover, offered=offered)
