"""The translator's workspace, /staff/translate (the blueprint "translating", nested in the
staff blueprint so its guard signs people in and sets `g.staff`).

Translators see and change their own languages only (another language's page is 403);
editors, publishers and admins may look at every language. Every change lands in the
person's own draft (`Store.working_draft`, `Store.save`), written the way `hotline i18n`
writes catalogs, and goes live when a publisher publishes it on the review pages: a
translation of English that is already live needs no second approval."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

from babel.messages.catalog import Catalog
from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hotline.channels import MAX_MESSAGE, gsm
from hotline.languages import workflow
from hotline.languages.comments import Review
from hotline.languages.locales import SOURCE, Locale
from hotline.languages.machine import argos, drafting, translator
from hotline.languages.placeholders import placeholder_mismatch
from hotline.languages.po import Key, po_bytes, read_po_bytes
from hotline.staff.translating import glossary, queue
from hotline.store import Refused, rules
from hotline.store.files import Files
from hotline.store.store import EDITING, IN_REVIEW, RELEASE, SENT_BACK

if TYPE_CHECKING:
    from hotline.store import Store
    from hotline.store.models import Draft

blueprint = Blueprint("translating", __name__, url_prefix="/translate", template_folder="templates",
                      static_folder="static", static_url_path="/static")
HISTORY = 30  # revisions looked back through to find who translated a string
KEEP = "keep every {name} of the English exactly as written: each becomes a phone number."


def _store() -> Store:
    store = current_app.extensions.get("hotline_store")
    if store is None:
        abort(404)  # the workspace edits revisions: without the store there is nothing to draft into
    return cast("Store", store)


def _actor() -> rules.Actor | None:
    """The signed-in person as the rules see them; None for the shared token (looks only)."""
    if g.get("staff") is None:
        return None
    store = _store()
    with store.session() as session:
        return store.actor(session, g.staff.email)


def _may_look(actor: rules.Actor | None, tag: str) -> bool:
    return actor is None or actor.role != rules.TRANSLATOR or tag in actor.languages


def _languages(files: Files, locales: Mapping[str, Locale]) -> dict[str, str]:
    """tag -> name of every language with a catalog, in the order residents see them."""
    return {t: loc.name for t, loc in locales.items() if t != SOURCE and queue.catalog_file(t) in files}


def _open_draft(store: Store, email: str, statuses: tuple[str, ...] = (EDITING, SENT_BACK)) -> Draft | None:
    return next((d for d in reversed(store.drafts()) if d.author == email and d.status in statuses), None)


def _files(store: Store, actor: rules.Actor | None) -> tuple[Files, Draft | None]:
    """What this person works on: their draft being edited, else the published revision."""
    draft = _open_draft(store, actor.email) if actor is not None else None
    if draft is not None:
        return store.draft_files(draft.id), draft
    return store.files(store.published_number() or 1), None


def _language(tag: str) -> tuple[Store, rules.Actor | None, Files, Draft | None]:
    store, actor = _store(), _actor()
    files, draft = _files(store, actor)
    if tag == SOURCE or queue.catalog_file(tag) not in files:
        abort(404)
    if not _may_look(actor, tag):
        abort(403)
    return store, actor, files, draft


def _translators(store: Store, tag: str, draft: Draft | None, keys: list[Key]) -> dict[Key, str]:
    """Who made each string's present translation: the draft's author for what their draft
    changed, else the author of the revision that last changed it."""
    path = queue.catalog_file(tag)
    history = {r.id: r for r in store.history()}
    versions: list[tuple[str, bytes | None]] = []
    if draft is not None:
        versions.append((draft.author, store.draft_files(draft.id).get(path)))
    number: int | None = draft.based_on if draft is not None else store.published_number()
    while number is not None and number in history and len(versions) < HISTORY:
        versions.append((history[number].author, store.files(number).get(path)))
        number = history[number].parent_id
    return queue.translators(versions, keys)


@blueprint.app_template_global()
def translator_name(author: str | None) -> str:
    """Who made a translation, said for staff: shipped content has no person behind it here."""
    return "the shipped content" if author == RELEASE else author or "someone unknown"


def _may_review(actor: rules.Actor | None, tag: str, translator: str) -> str | None:
    if actor is None:
        return "Sign in with your own account to review."
    return rules.may_review_translation(actor, tag, translator)


def _checks(english: str, text: str, folds: bool) -> dict[str, Any]:
    """What the translator sees as they type: the placeholders, and what the text costs by SMS
    in this language (folded as the line folds it)."""
    wrong = placeholder_mismatch(english, text) if text else ""
    sent = gsm.fold(text) if folds else text
    return {"placeholders": f"The translation {wrong}: {KEEP}" if wrong else "", "segments": gsm.segments(sent) if text else 0, "encoding": gsm.encoding(sent),
            "characters": len(sent)}


# Pages ------------------------------------------------------------------------------------

@blueprint.get("/")
def index() -> str:
    store, actor = _store(), _actor()
    files, draft = _files(store, actor)
    loaded = queue.load(files)
    shown = {t: n for t, n in _languages(files, loaded[1]).items() if _may_look(actor, t)}
    counts = {t: queue.build(files, t, loaded).counts for t in shown}
    return render_template("staff/translating/index.html", languages=shown, counts=counts, draft=draft,
                           sections=queue.SECTIONS)


def _asked(store: Store, actor: rules.Actor | None, tag: str) -> list[tuple[Draft, list[queue.Item], str | None]]:
    """Drafts waiting for a publisher that translate strings of `tag`, each with those strings
    and why this person may not sign them (None: they may): a second speaker signs them on
    the draft, before it is published; its translator sees them wait."""
    out = []
    for draft in store.drafts():
        if draft.status != IN_REVIEW:
            continue
        items = queue.translated_in(store.files(draft.based_on), store.draft_files(draft.id), tag)
        if items:
            out.append((draft, items, _may_review(actor, tag, draft.author)))
    return out


@blueprint.get("/<tag>")
def language(tag: str, refused: str = "") -> tuple[str, int]:
    store, actor, files, draft = _language(tag)
    q = queue.build(files, tag)
    unreviewed = [i.key for i in q.section(queue.UNREVIEWED)]
    by = _translators(store, tag, draft, unreviewed)
    waiting = _open_draft(store, actor.email, (IN_REVIEW,)) if actor is not None else None
    return render_template("staff/translating/language.html", q=q, sections=queue.SECTIONS, draft=draft,
                           waiting=waiting, translated_by=by, asked=_asked(store, actor, tag), refused=refused,
                           may_review={k: _may_review(actor, tag, by.get(k, "")) is None for k in unreviewed},
                           terms=glossary.read(files.get(glossary.path_of(tag))), used_in=glossary.used_in,
                           may_act=actor is not None), 400 if refused else 200


@blueprint.post("/<tag>/draft/<int:draft_id>/s/<sid>/sign")
def sign_on_draft(tag: str, draft_id: int, sid: str) -> Response | tuple[str, int]:
    """A second speaker signs a string another person's draft translates, before it is published."""
    store, actor, _, _ = _language(tag)
    item = next((i for d, items, _ in _asked(store, actor, tag) if d.id == draft_id for i in items if i.sid == sid),
                None)
    if item is None:
        abort(404)
    try:
        if actor is None:
            raise Refused("Sign in with your own account to review.")
        store.sign_translation(draft_id, actor.email, tag, item.key, request.form.get("seen", ""))
    except Refused as exc:
        return language(tag, str(exc))
    return redirect(url_for(".language", tag=tag, signed=draft_id, _anchor="asked"))


def _string_page(tag: str, sid: str, status: int = 200, refused: str = "", typed: str | None = None
                 ) -> tuple[str, int]:
    store, actor, files, draft = _language(tag)
    q = queue.build(files, tag)
    item = q.find(sid)
    if item is None:
        abort(404)
    by = _translators(store, tag, draft, [item.key]).get(item.key, "") if item.translation else ""
    text = item.translation if typed is None else typed
    return render_template(
        "staff/translating/string.html", q=q, item=item, text=text, refused=refused, draft=draft,
        translated_by=by, review_refusal=_may_review(actor, tag, by) if by else "", may_act=actor is not None,
        terms=glossary.used_in(glossary.read(files.get(glossary.path_of(tag))), item.english),
        checks=_checks(item.english, text, q.locale.folds), machine_ready=_machine_ready(tag),
        budget=int(current_app.config.get("SMS_SEGMENTS") or 3)), status


@blueprint.get("/<tag>/s/<sid>")
def string(tag: str, sid: str) -> tuple[str, int]:
    return _string_page(tag, sid)


def _edit_catalog(tag: str, change: Callable[[Catalog], object]) -> Draft:
    """Apply `change(catalog)` to the person's draft of this catalog and save it; `change`
    raises Refused with the sentence to show."""
    store, actor = _store(), _actor()
    if actor is None:
        raise Refused("The shared token may look but not change anything: sign in with your own account.")
    draft = store.working_draft(actor.email)
    path = queue.catalog_file(tag)
    catalog = read_po_bytes(store.draft_files(draft.id)[path])
    change(catalog)
    return store.save(draft.id, actor.email, {path: po_bytes(catalog)})


@blueprint.post("/<tag>/s/<sid>")
def act(tag: str, sid: str) -> Response | tuple[str, int]:
    store, actor, files, draft = _language(tag)
    item = queue.build(files, tag).find(sid)
    if item is None:
        abort(404)
    action, text = request.form.get("action", "save"), request.form.get("translation", "")
    try:
        if action == "review":
            translator = _translators(store, tag, draft, [item.key]).get(item.key, "")
            refusal = _may_review(actor, tag, translator)
            if refusal:
                raise Refused(refusal)
            if request.form.get("seen") != item.translation:
                raise Refused("This translation changed since you opened it: read it again, then sign it.")
            review = Review(actor.email, dt.date.today().isoformat())  # type: ignore[union-attr]
            signed = _edit_catalog(tag, lambda c: workflow.sign(c, review, keys=[item.key]))
            store.record(review.by, "translation reviewed", f"draft {signed.id}", "",
                         {"language": tag, "string": item.where, "translator": translator})
        elif action == "machine":
            _edit_catalog(tag, lambda c: _machine_draft(c, tag, item.key))
        else:
            _edit_catalog(tag, lambda c: _translate(c, item, text))
    except Refused as exc:
        return _string_page(tag, sid, 403 if actor is None else 400, str(exc), text if action == "save" else None)
    return redirect(url_for(".string", tag=tag, sid=sid, saved=action))


def _translate(catalog: Catalog, item: queue.Item, text: str) -> None:
    if not text.strip():
        raise Refused("The translation is empty: write it, or leave the page to keep what is there.")
    if catalog.get(item.english, context=item.key[0] or None) is None:  # English changed since the catalog's update
        catalog.add(item.english, context=item.key[0] or None)
    refused = workflow.take(catalog, {item.key: text}).refused
    if refused:
        raise Refused(f"Not saved: {refused[0][1]}; {KEEP}")


@lru_cache(maxsize=2)
def _drafter(tag: str) -> translator.Drafter:
    """A loaded machine-translation package (loading is the slow part): kept for the next string."""
    return translator.load_drafter(tag)


def _machine_ready(tag: str) -> bool:
    try:
        argos.resolve_package(tag)
    except argos.DraftError:
        return False
    return True


def _machine_draft(catalog: Catalog, tag: str, key: Key) -> None:
    """A machine draft of one string, marked fuzzy (never served) for a person to accept."""
    message = catalog.get(key[1], context=key[0] or None)
    if message is None:
        message = catalog.add(key[1], context=key[0] or None)
    try:
        drafter = _drafter(tag)
    except argos.DraftError as exc:
        raise Refused(f"No machine draft: {exc}") from None
    one = Catalog(locale=catalog.locale)
    one[message.id] = message
    report = drafting.draft_catalog(one, drafter.from_code, drafter.to_code, drafter)
    if not report.drafted:
        why = report.rejected[0].reason if report.rejected else "this string already has a translation"
        raise Refused(f"No machine draft: {why}.")


@blueprint.post("/<tag>/check")
def check(tag: str) -> Response:
    """The live checks of a translation being typed (JSON), for the string page's script."""
    _, _, files, _ = _language(tag)
    data: Mapping[str, Any] = request.get_json(silent=True) or {}
    q = queue.build(files, tag)
    item = q.find(str(data.get("sid", "")))
    if item is None:
        abort(404)
    return jsonify(_checks(item.english, str(data.get("text", ""))[:MAX_MESSAGE * 2], q.locale.folds))


@blueprint.route("/<tag>/glossary", methods=["GET", "POST"])
def glossary_page(tag: str) -> Response | tuple[str, int]:
    store, actor, files, _ = _language(tag)
    terms = glossary.read(files.get(glossary.path_of(tag)))
    refused = ""
    if request.method == "POST":
        form = request.form
        edited = [glossary.Term(e, u, n) for e, u, n in zip(form.getlist("english"), form.getlist("use"),
                                                             form.getlist("note"), strict=False)]
        try:
            if actor is None:
                raise Refused("The shared token may look but not change anything: sign in with your own account.")
            draft = store.working_draft(actor.email)
            store.save(draft.id, actor.email, {glossary.path_of(tag): glossary.write(edited)})
            return redirect(url_for(".glossary_page", tag=tag, saved=1))
        except Refused as exc:
            refused, terms = str(exc), edited
    name = queue.load(files)[1][tag].name
    return render_template("staff/translating/glossary.html", tag=tag, name=name, terms=terms, refused=refused,
                           may_act=actor is not None), 400 if refused else 200


@blueprint.post("/<tag>/ask")
def ask(tag: str) -> tuple[str, int]:
    """The translator hands their draft to the publishers, with a reason."""
    store, actor, _, draft = _language(tag)
    try:
        if actor is None or draft is None:
            raise Refused("You have no draft being edited: translate a string first.")
        store.ask_review(draft.id, actor.email, request.form.get("reason", ""))
    except Refused as exc:
        return render_template("staff/translating/asked.html", tag=tag, refused=str(exc)), 400
    return render_template("staff/translating/asked.html", tag=tag, draft=draft, refused=""), 200
