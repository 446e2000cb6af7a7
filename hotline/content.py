"""Everything the line says, loaded once: the flow, the languages and their texts.

A `Content` is immutable and swapped in whole; requests never see half an edit.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from collections.abc import Callable, Mapping

from hotline.flow import Flow, FlowError, load_flow
from hotline.flow.model import Problem
from hotline.flow.extract import flow_messages, search_messages, service_context
from hotline.i18n import (
    ENGLISH, PLACEHOLDERS, SOURCE, TRANSLATION, CatalogState, Coverage, Key, Locale, Served, Texts, catalog_path,
    coverage, needed_messages, read_catalog, read_locales, serve,
)
from hotline.lastgood import LastGood, Version, content_files
from hotline.phrases import KEY_STOP

log = logging.getLogger("hotline")


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


def load_content(flows: Path, translations: Path) -> Content:
    """Load and check the flow and every catalog; raises FlowError on a broken flow.
    Every language in locales.yaml with a catalog is offered unless it says `offered: no`;
    each of its strings is served as `serve` decides."""
    flow = load_flow(flows)
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


class NoGoodContent(RuntimeError):
    """Neither the files on disk nor any earlier version pass the check: nothing to serve."""


class LiveContent:
    """The content in use, re-read when a flow or catalog file changes (looked at most once
    per `interval` seconds). A version is served only when `check` (`hotline check`'s
    errors: the flow tests included) finds nothing in it; it is then kept as the instance's
    last good version (`hotline.lastgood`), which every process of the instance serves
    while the files on disk do not pass, at start-up too. A broken edit is logged with its
    report and the last good version stays."""

    def __init__(self, flows: Path, translations: Path, keep: LastGood, interval: float = 1.0,
                 check: Callable[[Path, Path], list[str]] | None = None,
                 on_swap: Callable[[Content], None] | None = None,
                 on_checked: Callable[[bool], None] | None = None) -> None:
        self.flows, self.translations = flows, translations
        self.keep = keep
        self.interval = interval
        self.check = check
        self.on_swap = on_swap
        self.on_checked = on_checked  # told whether each version this process checked passed
        self._lock = threading.Lock()
        self._seen = self._fingerprint()
        self.digest = ""
        if not self._take_disk(boot=True):
            good = keep.current()
            if good is None:
                raise NoGoodContent(
                    "The line cannot start: the flows and catalogs on disk do not pass `hotline check` and "
                    "no earlier good version is kept in this instance. Fix what `hotline check` reports.")
            try:
                self._serve(good, "the files on disk do not pass the check: this is the last good version")
            except Exception as exc:  # noqa: BLE001 - kept by an older version of the line that read it differently
                raise NoGoodContent(f"The line cannot start: the files on disk do not pass `hotline check`, and "
                                    f"the last good version kept no longer loads ({type(exc).__name__}).") from None
        self._next = time.monotonic() + interval
        self._draft: tuple[tuple, Content | FlowError] | None = None

    def get(self) -> Content:
        if time.monotonic() >= self._next and self._lock.acquire(blocking=False):
            try:
                self._next = time.monotonic() + self.interval
                self.refresh()
            finally:
                self._lock.release()
        return self.current

    def refresh(self) -> bool:
        """Load again if files changed; True when a new version is now served."""
        seen = self._fingerprint()
        if seen == self._seen:
            return False
        self._seen = seen
        before = self.digest
        if not self._take_disk(boot=False):
            good = self.keep.current()  # another process may have published a newer good version
            if good is not None and good.digest != self.digest:
                self._serve(good, "another process of this instance checked it")
        return self.digest != before

    def _take_disk(self, boot: bool) -> bool:
        """Serve the files on disk if they pass the check (or already are what is served)."""
        staged = self.keep.stage()
        try:
            if staged.digest == self.digest:
                return True
            good = self.keep.current()
            if good is not None and good.digest == staged.digest:
                self._serve(good, "already checked in this instance")
                return True
            checked = self._checked(staged)
            if self.on_checked:
                self.on_checked(isinstance(checked, Content))
            if not isinstance(checked, Content):
                served = f"residents keep flow {self.current.flow.version}" if not boot else "at start-up"
                log.error("edit NOT served (%s). Fix this:\n%s", served, "\n".join(checked))
                return False
            self._serve(self.keep.publish(staged), "it passes the check", checked)
            return True
        finally:
            self.keep.discard(staged)

    def _checked(self, staged: Version) -> Content | list[str]:
        """The staged copy loaded, when the check finds no error in it; else the errors."""
        try:
            errors = self.check(staged.flows, staged.translations) if self.check else []
            return errors or load_content(staged.flows, staged.translations)
        except FlowError as exc:
            return [str(exc)]
        except Exception as exc:  # noqa: BLE001 - whatever an edit breaks, residents keep the last good version
            return [f"{type(exc).__name__}: {exc}"]

    def _serve(self, version: Version, why: str, fresh: Content | None = None) -> None:
        """Serve `version` (`fresh`: already loaded from its staged copy, the same files)."""
        fresh = fresh or load_content(version.flows, version.translations)
        self.current, self.digest = fresh, version.digest
        if self.on_swap:
            self.on_swap(fresh)
        log.info("now serving flow %s (version %s: %s); languages: %s", fresh.flow.version, version.digest, why,
                 ", ".join(fresh.offered))

    def draft(self) -> Content:
        """The files as they are on disk now, loaded without the check: what staff preview
        before it is live (it may have errors the check would refuse). Loaded again only
        when a file changed; raises FlowError when the flow does not load."""
        seen = self._fingerprint()
        if self._draft is None or self._draft[0] != seen:
            try:
                loaded: Content | FlowError = load_content(self.flows, self.translations)
            except FlowError as exc:
                loaded = exc
            except Exception as exc:  # noqa: BLE001 - a broken locales.yaml or catalog: say what, as for the flow
                loaded = FlowError([Problem(str(self.translations), 0, "", f"{type(exc).__name__}: {exc}")])
            self._draft = (seen, loaded)
        if isinstance(self._draft[1], FlowError):
            raise self._draft[1]
        return self._draft[1]

    def _fingerprint(self) -> tuple:
        out = []
        for path in content_files(self.flows, self.translations):
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_mtime_ns, st.st_size))
        return tuple(out)
