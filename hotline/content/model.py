"""Everything the line says, loaded once: the flow, the languages and their texts.

A `Content` is immutable and swapped in whole; requests never see half an edit.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from hotline.flow import Flow, load_flow
from hotline.flow.extract import flow_messages, search_messages, service_context
from hotline.languages.entries import CatalogState, read_catalog
from hotline.languages.locales import SOURCE, Locale, catalog_path, read_locales
from hotline.languages.phrases import KEY_STOP
from hotline.languages.po import Key
from hotline.languages.serving import (
    ENGLISH,
    PLACEHOLDERS,
    TRANSLATION,
    Coverage,
    Served,
    coverage,
    needed_messages,
    serve,
)
from hotline.languages.texts import Texts


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a key for render caches
class Content:
    flow: Flow
    locales: Mapping[str, Locale]
    texts: Mapping[str, Texts]
    coverage: Mapping[str, Coverage]
    offered: tuple[str, ...]

    @cached_property
    def stop_words(self) -> frozenset[str]:
        """Opt-out words of every language the line knows: they work whatever the session."""
        return frozenset().union(*(t.keywords(KEY_STOP) for t in self.texts.values()))

    def fallback(self) -> dict[str, dict[str, int]]:
        """Per language with any: how many strings residents get in English or in the
        translation of an earlier English, and how many translations are broken (wrong
        {placeholders}, never served). For /healthz and the staff pages."""
        return {tag: {"english": c.english, "older": c.older, "broken": len(c.because(PLACEHOLDERS))}
                for tag, c in self.coverage.items() if c.fallback}

    def texts_for(self, tag: str | None) -> Texts:
        return self.texts.get(tag or SOURCE) or self.texts[SOURCE]


def wording_only(flow: Flow) -> frozenset[Key]:
    """The strings staff marked as reworded without a change of meaning (`wording_only:`)."""
    keys = {(n.id, getattr(n, f)) for n in flow.nodes.values() for f in n.wording_only}
    keys |= {(service_context(s.id), getattr(s, f)) for s in flow.services.values() for f in s.wording_only}
    return frozenset(keys)


def load_content(flows: Path, translations: Path, flow: Flow | None = None) -> Content:
    """Load the flow (unless already loaded from `flows`) and every catalog, each read once;
    raises FlowError on a broken flow. Every language in locales.yaml with a catalog is
    offered unless it says `offered: no`; each of its strings is served as `serve` decides."""
    flow = flow or load_flow(flows)
    locales = read_locales(translations)
    needed = needed_messages((m.context, m.text) for m in flow_messages(flow))
    reworded = wording_only(flow)
    texts: dict[str, Texts] = {}
    cover: dict[str, Coverage] = {}
    offered = []
    for tag, locale in locales.items():
        path = catalog_path(translations, tag)
        state = read_catalog(path) if tag != SOURCE and path.exists() else None
        served = serve(state, needed, reworded) if tag != SOURCE else {k: Served(TRANSLATION, k[1]) for k in needed}
        cover[tag] = coverage(tag, state, served)
        texts[tag] = Texts(locale, {**{k: s.text for k, s in served.items() if s.how != ENGLISH},
                                    **searched(state, flow)})
        if locale.offered and (tag == SOURCE or state is not None):
            offered.append(tag)
    return Content(flow=flow, locales=locales, texts=texts, coverage=cover, offered=tuple(offered))


def searched(state: CatalogState | None, flow: Flow) -> dict[Key, str]:
    """A language's own `also:` phrases, as its translators wrote them: searched, never shown,
    so outside the publish gate and its fallbacks (a missing one is simply not searched)."""
    if state is None:
        return {}
    keys = [(m.context, m.text) for node in flow.nodes.values() for m in search_messages(node)]
    return {k: e.string for k in keys if (e := state.entries.get(k)) and e.string and not e.fuzzy}
