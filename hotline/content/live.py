"""The content a process serves now, and the one background thread that keeps it current.

A request only reads `LiveContent.current` (a reference to an immutable `Content`): it never
looks at files, a database or the check. Each process runs one loader thread (started after
the fork: gunicorn's `post_fork`, or the first request), which asks its `Source` for the
version to serve at most once per `interval` and, when that changes, fetches the files,
checks them (`hotline.check`), keeps a copy as the instance's last good version
(`hotline.content.lastgood`) and swaps in the content the check loaded.

A version that fails the check is not served in this process: it keeps its last good
version, logs "edit not served" with the report, and says so in `refused` (/healthz,
/metrics). A version that cannot be fetched or kept (the source does not answer, the
instance folder is full or read-only) is not served either, and is tried again on the next
poll, never given up on.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from hotline.check.report import Report
from hotline.content.files import FLOWS, TRANSLATIONS, Files, digest, written
from hotline.content.lastgood import Kept, LastGood
from hotline.content.model import Content, load_content
from hotline.content.source import Source
from hotline.flow.model import FlowError, Problem

log = logging.getLogger("hotline")
ACCEPTED, REFUSED, UNKEPT = "accepted", "refused", "unkept"  # what became of a version a process looked at
UNKNOWN = "?"  # the version named while the source does not answer


class NoGoodContent(RuntimeError):
    """Neither the source's version nor any kept one passes the check: nothing to serve."""


@dataclass(frozen=True)
class Refused:
    """The newest version of the source, not served by this process: `why` in a few words
    (for /healthz, which anyone may read), `detail` in full (for the log)."""

    version: str
    why: str
    detail: str
    retried: bool  # True: it could not be fetched or kept, and is tried again at each poll


class LiveContent:
    def __init__(self, source: Source, keep: LastGood, check: Callable[[Files], Report], interval: float = 1.0,
                 on_swap: Callable[[Content], None] | None = None,
                 on_outcome: Callable[[str | None, bool], None] | None = None,
                 prepare: Callable[[Content], None] | None = None,
                 on_start: Callable[[LiveContent], None] | None = None) -> None:
        self.source, self.keep, self.check = source, keep, check
        self.interval = max(interval, 0.05)
        self.on_swap = on_swap
        self.prepare = prepare  # builds what serving the content needs, in a preloading master (`before_fork`)
        self.on_start = on_start  # what else each serving process runs beside its loader (`start`)
        self.on_outcome = on_outcome  # told ACCEPTED, REFUSED or UNKEPT (once per version and reason), or
        # None when only `refused` changed; and whether the newest version is now not served
        self.current: Content
        self.digest = ""  # of the files served (`hotline.content.files.digest`)
        self.refused: Refused | None = None
        self._before_down: Refused | None = None  # what `refused` said before the source stopped answering
        self._seen: str | None = None  # the source's version last served or refused for good
        self._checked: tuple[str, Content] | None = None  # passed the check, not kept yet: (digest, content)
        self._lock = threading.Lock()  # one look at the source at a time
        self._starting = threading.Lock()
        self._started = 0  # the process whose loader thread is running
        self._born = os.getpid()  # the process that loaded the content first (a preloading master)
        self._draft: tuple[str, Content | FlowError] | None = None
        self._boot()
        _EVERY.add(self)

    # Start-up -------------------------------------------------------------------------

    def _boot(self) -> None:
        """Serve the source's version if it passes; else the last good version kept; else,
        when the source's version passed but could not be kept, that version anyway."""
        if self.poll():
            return
        good = self.keep.current()
        if good is not None:
            try:
                self._serve(load_content(good.flows, good.translations), good.digest,
                            f"the last good version kept in {self.keep.root}")
                return
            except Exception as exc:  # noqa: BLE001 - kept by an older release of the line that read it differently
                log.error("the last good version kept in %s no longer loads (%s)", self.keep.root, type(exc).__name__)
        if self._checked is not None:
            self._serve(self._checked[1], self._checked[0], "it passes the check; no copy of it could be kept")
            return
        why = self.refused.detail if self.refused else "the source has no version yet"
        raise NoGoodContent(f"The line cannot start: the content does not pass `hotline check` (or cannot be read) "
                            f"and no earlier good version is kept in this instance ({self.keep.root}). Fix this:\n{why}")

    # The loader thread ----------------------------------------------------------------

    def start(self) -> None:
        """Start this process's loader thread, if it has none: after a fork the parent's
        thread is gone. Never called in a preloading master (it serves no request)."""
        if self._started == os.getpid():
            return
        with self._starting:
            if self._started == os.getpid():
                return
            self._started = os.getpid()
            forked = self._born != os.getpid()  # what the master loaded may be old: look at once
            threading.Thread(target=_load, args=(weakref.ref(self), self.interval, forked), name="hotline-content",
                             daemon=True).start()
            if self.on_start:
                self.on_start(self)

    def poll(self) -> bool:
        """Look at the source once; True when a new version is now served. What the loader
        thread does every `interval` (tests call it to look at once)."""
        with self._lock:
            try:
                version = self.source.current()
            except Exception as exc:  # noqa: BLE001 - a source down: serve on, look again next time
                if self.refused is None or self.refused.version != UNKNOWN:
                    self._before_down = self.refused
                self._not_served(UNKNOWN, "the source does not answer", f"{type(exc).__name__}: {exc}", retried=True)
                return False
            if self.refused is not None and self.refused.version == UNKNOWN:  # it answers again
                self.refused = self._before_down
                self._tell(None)
            if version is None or version == self._seen:
                return False
            return self._take(version)

    def _take(self, version: str) -> bool:
        try:
            files = self.source.files(version)
        except Exception as exc:  # noqa: BLE001
            return self._not_served(version, "its files cannot be read", f"{type(exc).__name__}: {exc}", True)
        name = digest(files)
        if name == self.digest:  # the same files again (saved unchanged, or another name for them)
            self._seen, self.refused = version, None
            self._tell(None)
            return False
        with self.keep.one_at_a_time():  # the other processes of the instance then load its copy
            return self._settle(version, name, files)

    def _settle(self, version: str, name: str, files: Files) -> bool:
        """Serve a new version: its copy kept by another process, or checked and kept here."""
        good = self.keep.current()
        if good is not None and good.digest == name:  # checked by another process of this instance
            try:
                return self._accept(version, name, load_content(good.flows, good.translations),
                                    f"checked before in this instance: the copy kept in {good.folder}")
            except Exception as exc:  # noqa: BLE001 - a damaged copy: check the source's files instead
                log.error("the copy kept in %s does not load (%s): checking again", good.folder, type(exc).__name__)
        if self._checked is None or self._checked[0] != name:
            report = self._run_check(files)
            if report.servable is None:
                errors = report.refusals or [Problem("", 0, "", "it does not load")]
                self._seen = version
                self._not_served(version, f"it fails the check: {errors[0].message.splitlines()[0]}",
                                 "Fix this:\n" + "\n".join(str(p) for p in errors), retried=False)
                return self._newer_kept(good)
            self._checked = (name, report.servable)
        try:
            self.keep.keep(name, files)
        except OSError as exc:
            why = f"it passes the check, but no copy of it can be kept ({exc.strerror or type(exc).__name__})"
            return self._not_served(version, why, f"in {self.keep.root}: {exc.strerror or exc}", retried=True)
        return self._accept(version, name, self._checked[1], "it passes the check")

    def _newer_kept(self, good: Kept | None) -> bool:
        """Serve the last good version another process of this instance kept, if it is not
        the one served here (a process that had not looked yet when the good edit came)."""
        if good is None or good.digest == self.digest or not self.digest:
            return False
        try:
            self._serve(load_content(good.flows, good.translations), good.digest,
                        "the last good version, kept by another process of this instance")
        except Exception as exc:  # noqa: BLE001 - a damaged copy: keep what is served
            log.error("the copy kept in %s does not load (%s)", good.folder, type(exc).__name__)
            return False
        return True

    def _run_check(self, files: Files) -> Report:
        try:
            return self.check(files)
        except Exception as exc:  # noqa: BLE001 - whatever an edit breaks, residents keep the last good version
            return Report((Problem("", 0, "", f"the check failed: {type(exc).__name__}: {exc}"),), complete=False)

    def _accept(self, version: str, name: str, content: Content, why: str) -> bool:
        self._seen, self._checked, self.refused = version, None, None
        self._serve(content, name, why)
        self._tell(ACCEPTED)
        return True

    def _not_served(self, version: str, why: str, detail: str, retried: bool) -> bool:
        """Log and report a version not served, once per version and reason (a retried
        failure would otherwise be logged at every poll)."""
        refused = Refused(version, why, detail, retried)
        if refused != self.refused:
            self.refused = refused
            serving = f"residents keep version {self.digest}" if self.digest else "at start-up"
            again = "; tried again at each look" if retried else ""
            log.error("edit not served (%s%s): %s; %s", serving, again, why, detail)
            self._tell(UNKEPT if retried else REFUSED)
        return False

    def _tell(self, outcome: str | None) -> None:
        if self.on_outcome:
            self.on_outcome(outcome, self.refused is not None)

    def _serve(self, content: Content, name: str, why: str) -> None:
        self.current, self.digest = content, name
        if self.on_swap:
            self.on_swap(content)
        log.info("now serving flow %s (version %s: %s); languages: %s", content.flow.version, name, why,
                 ", ".join(content.offered))

    # Staff's draft --------------------------------------------------------------------

    def draft(self) -> Content:
        """The source's version now, loaded without the check: what staff try before it is
        live (it may have errors the check would refuse). Loaded again only when the source
        names another version; raises FlowError when it does not load."""
        version = self.source.current() or ""
        if self._draft is None or self._draft[0] != version:
            loaded: Content | FlowError
            try:
                with written(self.source.files(version)) as root:
                    loaded = load_content(root / FLOWS, root / TRANSLATIONS)
            except FlowError as exc:
                loaded = exc
            except Exception as exc:  # noqa: BLE001 - a broken locales.yaml or catalog: say what, as for the flow
                loaded = FlowError([Problem(TRANSLATIONS, 0, "", f"{type(exc).__name__}: {exc}")])
            self._draft = (version, loaded)
        if isinstance(self._draft[1], FlowError):
            raise self._draft[1]
        return self._draft[1]


_EVERY: weakref.WeakSet[LiveContent] = weakref.WeakSet()


def before_fork() -> None:
    """Gunicorn's `pre_fork` (in the master, before each worker is forked): what every worker
    would otherwise build for itself on its first requests is built once here, and shared
    with all of them (`prepare`; done once per content, so a worker forked later costs nothing)."""
    for live in list(_EVERY):
        if live.prepare:
            try:
                live.prepare(live.current)
            except Exception as exc:  # noqa: BLE001 - the workers then build it themselves, as needed
                log.error("preparing the content before the fork failed (%s); each worker builds it", type(exc).__name__)


def after_fork() -> None:
    """Start the loader thread of every LiveContent in this (forked) process: gunicorn's
    `post_fork`, so that a worker never serves its master's content longer than one look."""
    for live in list(_EVERY):
        live.start()


def _load(ref: weakref.ref[LiveContent], interval: float, at_once: bool) -> None:
    """The loader thread: polls while its LiveContent lives (an app dropped by a test ends it)."""
    if not at_once:
        time.sleep(interval)
    while (live := ref()) is not None:
        try:
            live.poll()
        except Exception as exc:  # noqa: BLE001 - the thread must outlive any one bad version
            log.error("content loader: unexpected %s", type(exc).__name__)
        del live
        time.sleep(interval)
