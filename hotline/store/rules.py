"""Who may do what with content: pure functions over a change and the people involved, so the
rules are read, and tested, as data.

A change touches a fact when residents would act differently on it: a phone or dial number, a
service, a source, a page's title or text not marked `wording_only`, a node added or removed,
the languages offered. A fact goes live only with a second person's approval: a publisher who
is not the author. Wording-only changes, flow tests and translations need one publisher."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from hotline.check.words import FIELDS
from hotline.store.files import GLOSSARY, Files

ADMIN, EDITOR, TRANSLATOR, PUBLISHER = "admin", "editor", "translator", "publisher"
ROLES = (ADMIN, EDITOR, TRANSLATOR, PUBLISHER)
FREE_FIELDS = {"also", "reviewed", "recheck", "verified", "wording_only", "check"}  # never a fact on their own
LOCALES = "translations/locales.yaml"


@dataclass(frozen=True)
class Actor:
    email: str
    role: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Change:
    """What a draft changes, as the rules see it."""

    facts: tuple[str, ...] = ()          # each fact changed, named for staff
    languages: frozenset[str] = field(default_factory=frozenset)  # catalogs changed
    english: bool = False                # flows/ or the list of languages changed


def _language(path: str) -> str | None:
    """The language whose translators own this file: its catalog or its glossary."""
    parts = path.split("/")
    if parts[0] != "translations":
        return None
    if len(parts) == 4 and parts[2] == "LC_MESSAGES" or len(parts) == 3 and parts[2] == GLOSSARY:
        return parts[1]
    return None


def _load(data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        loaded = yaml.safe_load(data)
    except yaml.YAMLError:
        return {"": "does not load"}
    return loaded if isinstance(loaded, dict) else {"": loaded}


def entries(path: str, data: bytes | None) -> dict[str, Any]:
    loaded = _load(data)
    if path.endswith("services.yaml"):
        return loaded
    nodes = loaded.get("nodes")
    rest = {f"({k})": v for k, v in loaded.items() if k != "nodes"}
    return {**(nodes if isinstance(nodes, dict) else {}), **rest}


def _worded(entry: Mapping[str, Any], fields: tuple[str, ...]) -> set[str]:
    marked = entry.get("wording_only")
    if marked is True:
        return set(fields)
    return {str(m) for m in (marked if isinstance(marked, list) else [marked]) if m}


def _named(key: str, entry: object, service: bool) -> str:
    """A page, menu or service as staff know it: its kind and its title or name."""
    entry = entry if isinstance(entry, dict) else {}
    kind = "service" if service else "menu" if entry.get("type") == "menu" else "page"
    return f"{kind} “{entry.get('name' if service else 'title') or key}”"


def _facts_in(path: str, old: bytes | None, new: bytes | None) -> list[str]:
    service = path.endswith("services.yaml")
    wordable = ("name", "hours") if service else ("title", "text")
    before, after = entries(path, old), entries(path, new)
    out = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a == b:
            continue
        if a is None or b is None:
            out.append(f"{_named(key, a or b, service)} {'added' if a is None else 'removed'}")
            continue
        if not isinstance(a, dict) or not isinstance(b, dict):
            out.append(f"{path}: {key}")
            continue
        fields = {f for f in set(a) | set(b) if a.get(f) != b.get(f)} - FREE_FIELDS - _worded(b, wordable)
        if fields:
            labels = (FIELDS.get(f, f).lower() for f in sorted(fields))
            out.append(f"{_named(key, b, service)}: {', '.join(labels)}")
    return out


def classify(base: Files, files: Mapping[str, bytes | None]) -> Change:
    """What `files` (changed files, None for removed) change from `base`."""
    facts: list[str] = []
    languages: set[str] = set()
    english = False
    for path in sorted(files):
        new, old = files[path], base.get(path)
        if new == old:
            continue
        tag = _language(path)
        if tag:
            languages.add(tag)
            continue
        english = True
        if path == LOCALES:
            facts.append("the languages offered")
        elif path.startswith("flows/") and path.count("/") == 1:
            facts += _facts_in(path, old, new)
    return Change(tuple(facts), frozenset(languages), english)


def may_author(actor: Actor, change: Change) -> str | None:
    """None when `actor` may make this draft, else why not (one sentence)."""
    if actor.role == PUBLISHER:
        return None
    if actor.role == EDITOR:
        if change.languages:
            return (f"{actor.email} is an editor: translations ({', '.join(sorted(change.languages))}) "
                    "are for translators of those languages.")
        return None
    if actor.role == TRANSLATOR:
        if change.english:
            return f"{actor.email} is a translator: English content and services are for editors."
        others = sorted(change.languages - set(actor.languages))
        if others:
            return f"{actor.email} translates {', '.join(actor.languages) or 'no language'}, not {', '.join(others)}."
        return None
    return f"{actor.email} is an {actor.role}: content is changed by editors, translators and publishers."


def may_review_translation(actor: Actor, tag: str, translator: str) -> str | None:
    """None when `actor` may sign a translation into `tag` as reviewed: a second speaker of
    the language (it is among their languages; a translator or a publisher, who may draft
    catalogs), never the person who translated it."""
    if actor.role not in (TRANSLATOR, PUBLISHER) or tag not in actor.languages:
        return f"{actor.email} does not review {tag}: a translator or publisher who speaks it does."
    if actor.email == translator:
        return f"{actor.email} translated this string: a second speaker of {tag} reviews it."
    return None


def may_approve(actor: Actor, author: str) -> str | None:
    if actor.role != PUBLISHER:
        return f"{actor.email} is not a publisher: only a publisher approves a draft."
    if actor.email == author:
        return f"{actor.email} wrote this draft: a different publisher must approve it."
    return None


def may_publish(actor: Actor, change: Change, author: str, approver: str | None, errors: list[str]) -> str | None:
    """None when `actor` may publish; else the one sentence that says who must act, or what failed."""
    if actor.role != PUBLISHER:
        return f"{actor.email} is {'an' if actor.role[0] in 'aeiou' else 'a'} {actor.role}: only a publisher publishes."
    if change.facts and (approver is None or approver == author):
        return (f"this draft changes facts ({'; '.join(change.facts[:5])}{'; ...' if len(change.facts) > 5 else ''}): "
                f"a publisher other than its author {author} must approve it first.")
    if errors:
        return f"the check failed with {len(errors)} error(s), first: {errors[0]}"
    return None
