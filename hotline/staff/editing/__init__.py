"""Editing the line's content in the browser (/staff/edit): any page's or menu's words, dates
and source, a service's number and hours, a new page under a menu, a menu's options moved,
reordered or taken off. Every change goes into the editor's own draft (`Store.save`), written
into the flow files in their own style (`hotline.store.flowedit`); the check runs as they
type (`/staff/edit/check`) and says, beside each field, what is wrong and what each language
costs by SMS, WhatsApp and voice."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as ResponseBase

from hotline.check.words import FIELDS
from hotline.staff import versions
from hotline.staff.editing import checking, finding, recheck
from hotline.store import Refused, flowedit, rules
from hotline.store.flowedit import SERVICES, EditError
from hotline.store.store import IN_REVIEW

blueprint = Blueprint("editing", __name__, url_prefix="/edit", template_folder="templates",
                      static_folder="static", static_url_path="/static")
AUTHORS = (rules.EDITOR, rules.PUBLISHER)
NODE_TEXT = ("title", "text", "also", "source", "reviewed", "recheck")
SERVICE_TEXT = ("name", "phone", "dial", "hours", "source", "verified")
OPTIONAL = {"also", "source", "reviewed", "recheck", "dial"}  # left empty: the field is taken out
WORDABLE = ("title", "text")


@blueprint.app_context_processor
def _for_the_home_page() -> dict[str, Any]:
    """For the staff home page's partials (staff/editing/start.html, recheck.html): the facts
    due for a re-check, and how many drafts wait for a publisher."""
    return {"due_rechecks": recheck.due, "drafts_waiting": _drafts_waiting}


def _drafts_waiting() -> int:
    store = versions.store()
    return sum(d.status == IN_REVIEW for d in store.drafts()) if store is not None else 0


@blueprint.context_processor
def _labels() -> dict[str, Any]:
    """Each field's label, as the check's messages name it to staff too (`check.words`)."""
    return {"labels": FIELDS}


def _author() -> Any:
    """Who edits: an editor or publisher signed in with their own account."""
    who = g.get("staff")
    if who is None:
        abort(403, "Sign in with your own account to edit: the shared token may only look.")
    if who.role not in AUTHORS:
        abort(403, f"{who.email} is {'an' if who.role[0] in 'aeiou' else 'a'} {who.role}: English content and "
                   "services are changed by editors and publishers.")
    return who


def _files() -> dict[str, bytes]:
    """What the signed-in editor sees: their draft; anyone else: what is live."""
    who = g.get("staff")
    store = versions.store()
    if store is None:
        abort(404)
    if who is not None and who.role in AUTHORS:
        return store.draft_files(versions.my_draft().id)  # type: ignore[union-attr]
    return versions.live_files()


def _entries(files: dict[str, bytes], path: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in rules.entries(path, files.get(path)).items()
            if isinstance(v, dict) and not k.startswith("(")}


def _nodes(files: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in files if p.startswith("flows/") and p.count("/") == 1 and p.endswith(".yaml")):
        if path != SERVICES:
            out.update(_entries(files, path))
    return out


def _save(files: Mapping[str, bytes], changed: Mapping[str, bytes]) -> None:
    """Into the signed-in editor's own draft (the store refuses what their role may not
    change); saving what is already there does nothing (an approval stays valid)."""
    store, who = versions.store(), _author()
    changed = {p: d for p, d in changed.items() if files.get(p) != d}
    if changed:
        store.save(versions.my_draft().id, who.email, changed)  # type: ignore[union-attr]


def _form_values(names: tuple[str, ...], given: Mapping[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for name in names:
        value = str(given.get(name, "")).replace("\r\n", "\n").strip()
        values[name] = None if not value and name in OPTIONAL else value
    return values


def node_values(given: Mapping[str, str]) -> dict[str, object]:
    """The node editor's fields as the flow file holds them."""
    values = _form_values(NODE_TEXT, given)
    marked = [f for f in WORDABLE if given.get(f"wording_only_{f}")]
    values["wording_only"] = True if len(marked) == len(WORDABLE) else marked[0] if marked else None
    return values


@blueprint.get("/")
def index(failed: str = "") -> str:
    """Every menu with its options, pages no menu leads to, and services; `failed`: why the
    last action was refused (shown here, never read from the address)."""
    files = _files()
    nodes = _nodes(files)
    menus = {k: v for k, v in nodes.items() if v.get("type") == "menu"}
    listed = {o for m in menus.values() for o in m.get("options") or []}
    who = g.get("staff")
    draft = versions.my_draft() if who is not None and who.role in AUTHORS else None
    services = _entries(files, SERVICES)
    query = request.args.get("find", "").strip()[:200]
    return render_template("staff/editing/index.html", nodes=nodes, menus=menus, services=services,
                           unlisted=[k for k in nodes if k not in listed and k not in menus], draft=draft,
                           may_edit=draft is not None, failed=failed, query=query,
                           found=finding.find(query, nodes, services))


def _node_or_404(files: dict[str, bytes], nid: str) -> tuple[str, dict[str, Any]]:
    path = flowedit.where(files, nid)
    if path is None:
        abort(404)
    return path, _entries(files, path)[nid]


@blueprint.route("/node/<nid>", methods=["GET", "POST"])
def node(nid: str) -> ResponseBase | tuple[str, int] | str:
    files = _files()
    path, entry = _node_or_404(files, nid)
    nodes = _nodes(files)
    shown = {"nid": nid, "entry": entry, "nodes": nodes, "leading": flowedit.leading_to(files, nid),
             "may_edit": g.get("staff") is not None and g.staff.role in AUTHORS}
    if request.method == "GET":
        return render_template("staff/editing/node.html", **shown)
    values = node_values(request.form)
    try:
        _save(files, {path: flowedit.edit(files[path].decode("utf-8"), nid, values).encode("utf-8")})
    except (Refused, EditError) as exc:
        return render_template("staff/editing/node.html", failed=str(exc), **shown), 403
    return redirect(url_for(".node", nid=nid, saved=1))


@blueprint.route("/service/<sid>", methods=["GET", "POST"])
def service(sid: str) -> ResponseBase | tuple[str, int] | str:
    files = _files()
    entries = _entries(files, SERVICES)
    if sid not in entries:
        abort(404)
    shown = {"sid": sid, "entry": entries[sid], "users": flowedit.leading_to(files, sid, service=True),
             "nodes": _nodes(files), "may_edit": g.get("staff") is not None and g.staff.role in AUTHORS}
    if request.method == "GET":
        return render_template("staff/editing/service.html", **shown)
    try:
        _save(files, {SERVICES: flowedit.edit(files[SERVICES].decode("utf-8"), sid,
                                       _form_values(SERVICE_TEXT, request.form)).encode("utf-8")})
    except (Refused, EditError) as exc:
        return render_template("staff/editing/service.html", failed=str(exc), **shown), 403
    return redirect(url_for(".service", sid=sid, saved=1))


def _slug(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:30].strip("_") or "page"
    key, n = base if base[0].isalpha() else f"p_{base}", 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _refused(message: str) -> tuple[str, int]:
    return index(message), 403


@blueprint.post("/menu/<nid>/add")
def add_page(nid: str) -> ResponseBase | tuple[str, int]:
    """A new page as the last option of a menu: its title now, its words in the editor."""
    _author()
    files = _files()
    path, menu = _node_or_404(files, nid)
    title = request.form.get("title", "").strip()
    if not title:
        return _refused("a new page needs a title.")
    key = _slug(title, set(_nodes(files)) | set(_entries(files, SERVICES)))
    text = flowedit.add(files[path].decode("utf-8"), key, {"type": "page", "title": title,
                                                          "text": "Write what residents read here.",
                                                          "source": "", "reviewed": None}, nid)
    text = flowedit.edit(text, nid, {"options": [*(menu.get("options") or []), key]})
    try:
        _save(files, {path: text.encode("utf-8")})
    except Refused as exc:
        return _refused(str(exc))
    return redirect(url_for(".node", nid=key))


@blueprint.post("/menu/<nid>/options")
def options(nid: str) -> ResponseBase | tuple[str, int]:
    """Up, down, to another menu, or off this menu; a page no menu leads to may then be removed."""
    _author()
    files = _files()
    path, menu = _node_or_404(files, nid)
    listed = list(menu.get("options") or [])
    option, action = request.form.get("option", ""), request.form.get("action", "")
    if option not in listed:
        return _refused("that option is no longer on this menu.")
    at = listed.index(option)
    texts = {path: files[path].decode("utf-8")}
    if action in ("up", "down"):
        to = at - 1 if action == "up" else at + 1
        if 0 <= to < len(listed):
            listed[at], listed[to] = listed[to], listed[at]
    elif action in ("off", "move"):
        listed.pop(at)
    else:
        return _refused("choose up, down, move or take off.")
    texts[path] = flowedit.edit(texts[path], nid, {"options": listed})
    if action == "move":
        target = request.form.get("to", "")
        there = flowedit.where(files, target)
        there_options = list(_entries(files, there)[target].get("options") or []) if there else []
        if there is None or target == nid or option in there_options:
            return _refused("choose another menu, one that does not lead to it yet.")
        texts[there] = flowedit.edit(texts.get(there, files[there].decode("utf-8")), target,
                                     {"options": [*there_options, option]})
    try:
        _save(files, {p: t.encode("utf-8") for p, t in texts.items()})
    except Refused as exc:
        return _refused(str(exc))
    return redirect(url_for(".index") + f"#menu-{nid}")


@blueprint.post("/node/<nid>/remove")
def remove(nid: str) -> ResponseBase | tuple[str, int] | str:
    """Refused while any menu still leads to the node (or it is the main menu)."""
    _author()
    files = _files()
    path, _ = _node_or_404(files, nid)
    nodes = _nodes(files)
    leading = flowedit.leading_to(files, nid)
    if nid == "main" or leading:
        why = ("the main menu is where every conversation starts." if nid == "main" else
               "it is still an option of " + ", ".join(str(nodes[n].get("title") or n) for n in leading) +
               ": take it off those menus first.")
        return _refused(f"'{nodes[nid].get('title') or nid}' cannot be removed: {why}")
    try:
        _save(files, {path: flowedit.remove(files[path].decode("utf-8"), nid).encode("utf-8")})
    except Refused as exc:
        return _refused(str(exc))
    return redirect(url_for(".index"))


@blueprint.post("/check")
def check() -> ResponseBase | tuple[ResponseBase, int]:
    """{kind: node|service, id, fields} -> the problems beside each field and the costs per
    language, for the draft with these fields as typed (nothing is saved)."""
    _author()
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("fields"), dict) or \
            not all(isinstance(v, str) for v in data["fields"].values()):
        return jsonify(error="send JSON: {kind, id, fields}"), 400
    files = _files()
    service = data.get("kind") == "service"
    key = str(data.get("id", ""))
    path = flowedit.where(files, key, service=service)
    if path is None:
        return jsonify(error="no such node or service"), 404
    fields = data["fields"]
    values = _form_values(SERVICE_TEXT, fields) if service else node_values(fields)
    try:
        return jsonify(checking.check(files, path, key, values))
    except EditError as exc:
        return jsonify(error=str(exc)), 409
