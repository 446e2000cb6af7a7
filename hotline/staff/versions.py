"""The store's versions as the staff pages use them: the published revision's files, the
signed-in person's working draft, and any version loaded as `Content` through the line's own
serving gate (kept for the few versions being looked at, so typing and trying stay quick)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app, g

from hotline.check.version import gate
from hotline.check.words import for_staff
from hotline.content import Content
from hotline.store.files import content_hash

if TYPE_CHECKING:
    from hotline.store import Store
    from hotline.store.models import Draft

MINE = "mine"  # "Try the line" on the signed-in person's draft
KEPT = 4
_loaded: OrderedDict[str, Loaded] = OrderedDict()
_lock = threading.Lock()  # the staff pages are served by several threads


def store() -> Store | None:
    return current_app.extensions.get("hotline_store")


def live_files() -> dict[str, bytes]:
    found = store()
    number = found.published_number() if found is not None else None
    return found.files(number) if found is not None and number is not None else {}


def my_draft() -> Draft | None:
    """The signed-in person's working draft (made on first use); None for the shared token."""
    found, who = store(), g.get("staff")
    return found.working_draft(who.email) if found is not None and who is not None else None


@dataclass(frozen=True)
class Loaded:
    """A version as loaded by the serving gate: its content (None when it does not load) and
    what keeps it off the line, in staff's words (`check.words`)."""

    content: Content | None
    problems: tuple[str, ...]


def loaded(files: dict[str, bytes]) -> Loaded:
    key = content_hash(files)
    with _lock:
        found = _loaded.get(key)
        if found is not None:
            _loaded.move_to_end(key)
            return found
    report = gate(files, current_app.config)
    found = Loaded(report.content, tuple(for_staff(report.refusals, report.content)))
    with _lock:
        _loaded[key] = found
        while len(_loaded) > KEPT:
            _loaded.popitem(last=False)
    return found


def mine() -> Content | str:
    """The content of the signed-in person's draft (tried even while the check refuses it),
    or why it cannot be tried."""
    draft = my_draft()
    if draft is None:
        return "sign in with your own account to try your draft."
    found = loaded(store().draft_files(draft.id))  # type: ignore[union-attr]
    return found.content if found.content is not None else "\n".join(found.problems)
