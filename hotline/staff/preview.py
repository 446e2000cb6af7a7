"""Draft against live, for the staff pages: what an edit on disk changes for residents
before it is served (pure: two loaded `Content`s in, sentences out)."""
from __future__ import annotations

from dataclasses import dataclass

from hotline.content import Content
from hotline.flow.model import Node, Service

LIVE, DRAFT = "live", "draft"
_NODE_FIELDS = (("title", "title"), ("text", "text"), ("options", "options"), ("service", "service"),
                ("source", "source"))
_SERVICE_FIELDS = (("name", "name"), ("phone", "phone"), ("dial", "dial number"), ("hours", "hours"))


@dataclass(frozen=True)
class Change:
    """One difference a resident would notice, said plainly; `node` links to its screen."""

    what: str
    node: str = ""


def _node_changes(old: Node | None, new: Node | None, nid: str) -> list[Change]:
    if old is None:
        return [Change(f"new {new.kind} '{new.title}'", nid)] if new else []
    if new is None:
        return [Change(f"{old.kind} '{old.title}' removed")]
    changed = [label for attr, label in _NODE_FIELDS if getattr(old, attr) != getattr(new, attr)]
    return [Change(f"'{new.title}': {', '.join(changed)} changed", nid)] if changed else []


def _service_changes(old: Service | None, new: Service | None, sid: str) -> list[Change]:
    if old is None or new is None:
        return [Change(f"service {sid} {'added' if new else 'removed'}")]
    return [Change(f"service {new.name}: {label} {getattr(old, attr) or '(none)'} → {getattr(new, attr) or '(none)'}")
            for attr, label in _SERVICE_FIELDS if getattr(old, attr) != getattr(new, attr)]


def changes(live: Content, draft: Content) -> list[Change]:
    """Nodes, services, languages offered and translations that differ, in flow order."""
    out: list[Change] = []
    for nid in dict.fromkeys([*draft.flow.nodes, *live.flow.nodes]):
        out += _node_changes(live.flow.nodes.get(nid), draft.flow.nodes.get(nid), nid)
    for sid in dict.fromkeys([*draft.flow.services, *live.flow.services]):
        out += _service_changes(live.flow.services.get(sid), draft.flow.services.get(sid), sid)
    for tag in dict.fromkeys([*draft.offered, *live.offered]):
        if (tag in draft.offered) != (tag in live.offered):
            name = (draft.locales.get(tag) or live.locales[tag]).name
            out.append(Change(f"{name} ({tag}) {'now offered' if tag in draft.offered else 'taken off the line'}"))
    for tag, texts in draft.texts.items():
        before = live.texts.get(tag)
        if tag in live.texts and before is not None:
            edited = sum(1 for k, v in texts.messages.items() if k in before.messages and before.messages[k] != v)
            if edited:
                out.append(Change(f"{draft.locales[tag].name} ({tag}): {edited} translation(s) edited"))
    return out
