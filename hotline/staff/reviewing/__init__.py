"""Review, publish and history (/staff/review): drafts waiting for a publisher, each with what
residents will read and hear differently (`proof`), approved or sent back with a comment, and
published; every revision with who wrote, approved and why, and a restore for publishers.
The store decides who may do what (`hotline.store.rules`); its refusal is shown as said."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as ResponseBase

from hotline.staff import preview, shared, versions
from hotline.staff.reviewing import proof
from hotline.store import Refused, rules
from hotline.store.diff import describe
from hotline.store.files import content_hash
from hotline.store.store import EDITING, IN_REVIEW, SENT_BACK, Store

if TYPE_CHECKING:
    from hotline.store.models import Draft

blueprint = Blueprint("reviewing", __name__, url_prefix="/review", template_folder="templates")


def _store() -> Store:
    return versions.store() or abort(404)


def _actor() -> Any:
    who = g.get("staff")
    if who is None:
        abort(403, "Sign in with your own account: the shared token may only look.")
    return who


def _channels() -> proof.Channels:
    current = shared.line()
    return proof.Channels(current.sms, current.whatsapp, current.voice)


def _comments(store: Store, draft_id: int) -> list[Any]:
    """What was said about a draft: the reason asked with, and publishers' comments."""
    return [e for e in store.audit_entries() if e.target == f"draft {draft_id}"
            and e.action in ("review asked", "draft sent back", "draft approved")]


@blueprint.get("/")
def index() -> str:
    store = _store()
    drafts = [d for d in store.drafts() if d.status in (IN_REVIEW, SENT_BACK) or
              (d.status == EDITING and g.get("staff") is not None and d.author == g.staff.email)]
    return render_template("staff/reviewing/index.html", drafts=drafts,
                           waits={d.id: store.waits_for(d) for d in drafts if d.status == IN_REVIEW})


KEPT = 8  # of each kind, per app: the drafts being looked at
_lock = threading.Lock()  # the staff pages are served by several threads
T = TypeVar("T")


def _kept(kind: str, key: tuple[str, ...], make: Callable[[], T]) -> T:
    """`make()`, made once per key (the hashes of the contents it depends on) in this app:
    merging a draft, its catalogs following its English, its check and its proofs are the
    slow part, and every look at the page, approving, publishing, asks for them again."""
    with _lock:
        kept: OrderedDict[tuple[str, ...], T] = current_app.extensions.setdefault(f"hotline_{kind}", OrderedDict())
        if key in kept:
            kept.move_to_end(key)
            return kept[key]
    found = make()
    with _lock:
        kept[key] = found
        while len(kept) > KEPT:
            kept.popitem(last=False)
    return found


def _candidate(store: Store, draft: Draft) -> tuple[dict[str, bytes], dict[str, bytes], list[str]]:
    """What residents get now, what publishing the draft would make live now, and what it
    and the revisions published since its base both changed; once published, the revision
    it followed and the one it made."""
    if draft.revision_id is not None:
        parent = next((r.parent_id for r in store.history() if r.id == draft.revision_id), None)
        return store.files(parent) if parent is not None else {}, store.files(draft.revision_id), []
    live = versions.live_files()
    key = (str(draft.id), content_hash(live), content_hash(store.draft_files(draft.id)),
           content_hash(store.files(draft.based_on)))  # the draft's id: which files it changes counts too
    files, conflicts = _kept("candidates", key, lambda: store.as_published(draft.id))
    return live, files, conflicts


@dataclass(frozen=True)
class Proofed:
    """What one version makes residents get differently from another, and its check."""

    lines: tuple[str, ...]
    problems: tuple[str, ...]
    screens: tuple[proof.Screen, ...]
    renumbered: tuple[proof.Renumbered, ...]


def _proofed(before: dict[str, bytes], after: dict[str, bytes]) -> Proofed:
    live, mine = versions.loaded(before), versions.loaded(after)
    screens, renumbered = [], []
    if live.content is not None and mine.content is not None:
        screens = proof.screens(live.content, mine.content, _channels())
        renumbered = proof.renumbered(live.content, mine.content)
    return Proofed(tuple(describe(before, after)), mine.problems, tuple(screens), tuple(renumbered))


def _page(draft_id: int, failed: str = "", status: int = 200) -> tuple[str, int]:
    store = _store()
    draft = next((d for d in store.drafts(open_only=False) if d.id == draft_id), None) or abort(404)
    before, after, conflicts = _candidate(store, draft)
    shown = _kept("proofs", (content_hash(before), content_hash(after)), lambda: _proofed(before, after))
    who = g.get("staff")
    return render_template("staff/reviewing/draft.html", draft=draft, lines=shown.lines, screens=shown.screens,
                           renumbered=shown.renumbered, problems=shown.problems, failed=failed,
                           waits=store.waits_for(draft) if draft.status == IN_REVIEW else "",
                           comments=_comments(store, draft_id), conflicts=conflicts,
                           publisher=who is not None and who.role == rules.PUBLISHER), status


@blueprint.get("/<int:draft_id>")
def draft(draft_id: int) -> tuple[str, int]:
    return _page(draft_id)


def _act(draft_id: int, action: Any) -> ResponseBase | tuple[str, int]:
    try:
        action(_store(), _actor().email)
    except Refused as exc:
        return _page(draft_id, str(exc), 403)
    return redirect(url_for(".draft", draft_id=draft_id))


@blueprint.post("/<int:draft_id>/ask")
def ask(draft_id: int) -> ResponseBase | tuple[str, int]:
    return _act(draft_id, lambda store, by: store.ask_review(draft_id, by, request.form.get("reason", "")))


@blueprint.post("/<int:draft_id>/approve")
def approve(draft_id: int) -> ResponseBase | tuple[str, int]:
    return _act(draft_id, lambda store, by: store.approve(draft_id, by))


@blueprint.post("/<int:draft_id>/send-back")
def send_back(draft_id: int) -> ResponseBase | tuple[str, int]:
    comment = request.form.get("comment", "").strip()
    if not comment:
        return _page(draft_id, "say what to change: the author reads your comment.", 400)
    return _act(draft_id, lambda store, by: store.send_back(draft_id, by, comment))


@blueprint.post("/<int:draft_id>/publish")
def publish(draft_id: int) -> ResponseBase | tuple[str, int]:
    return _act(draft_id, lambda store, by: store.publish(draft_id, by))


@blueprint.get("/history")
def history(shown: int | None = None, failed: str = "", waiting: int = 0) -> str:
    """Every revision; `shown` (or ?revision=) with what it changed. A restore's outcome is
    shown by the restore itself, never read from the address."""
    store = _store()
    revisions = list(reversed(store.history()))
    parents = {r.id: r.parent_id for r in revisions}
    shown = shown or request.args.get("revision", 0, type=int) or None
    lines: list[str] = []
    changes: list[preview.Change] = []
    parent = parents.get(shown) if shown else None
    if shown in parents and parent is not None:
        before, after = store.files(parent), store.files(shown)
        lines = describe(before, after)
        old, new = versions.loaded(before).content, versions.loaded(after).content
        changes = preview.changes(old, new) if old is not None and new is not None else []
    who = g.get("staff")
    return render_template("staff/reviewing/history.html", revisions=revisions, shown=shown, lines=lines,
                           changes=changes, first=shown is not None and shown in parents and parent is None,
                           waiting=waiting, restored=request.args.get("restored", 0, type=int),
                           live=store.published_number(), failed=failed,
                           publisher=who is not None and who.role == rules.PUBLISHER)


@blueprint.post("/history/<int:number>/restore")
def restore(number: int) -> ResponseBase | tuple[str, int]:
    try:
        outcome = _store().restore(number, _actor().email, request.form.get("reason", ""))
    except Refused as exc:
        return history(number, str(exc)), 403
    if outcome.revision is None:
        return history(number, f"not published yet (draft {outcome.draft}): {outcome.waiting}", outcome.draft), 200
    return redirect(url_for(".history", revision=outcome.revision, restored=number))
