"""Looking at the line: the home page (try the line as a resident, by SMS, WhatsApp or a call,
in any language, live or the draft), one node in every language side by side, the flow as a
picture, the counts, and the problems the check finds."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from markupsafe import Markup

from hotline.channels import NAMES, messaging, sms, voice
from hotline.channels.render import paragraphs, title
from hotline.check.rules import WARNING
from hotline.check.version import run as run_check
from hotline.check.words import staff_words
from hotline.content import Content
from hotline.engine import Reply
from hotline.flow.model import FlowError
from hotline.languages.serving import OLDER, REASONS, Served
from hotline.staff import graph, preview, shared, versions
from hotline.staff.looking import counts as figures
from hotline.staff.looking.simulator import MAX_INPUT, MAX_STATE, costed, text_turn, voice_turn
from hotline.storage import sessions, stats

blueprint = Blueprint("looking", __name__, template_folder="templates")


# Draft and live ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Shown:
    """Which version a staff page shows: live (what residents get) or the draft on disk."""

    version: str
    content: Content
    changes: list[preview.Change]
    problem: str = ""     # why the draft cannot be shown (it does not load)


def _shown(version: str | None) -> Shown:
    live = shared.line().content
    if version == versions.MINE:
        mine = versions.mine()
        if isinstance(mine, str):
            return Shown(preview.LIVE, live, [], f"Your draft cannot be tried yet: {mine}")
        return Shown(versions.MINE, mine, preview.changes(live, mine))
    try:
        draft = shared.line().live.draft()
    except FlowError as exc:
        return Shown(preview.LIVE, live, [], f"The files on disk do not load, so there is no draft to try:\n{exc}")
    changes = preview.changes(live, draft)
    if version == preview.DRAFT:
        return Shown(preview.DRAFT, draft, changes)
    return Shown(preview.LIVE, live, changes)


# Try the line ------------------------------------------------------------------------------

@blueprint.get("/")
def index() -> str:
    current = shared.line()
    shown = _shown(request.args.get("version"))
    content = shown.content
    heard = voice.heard_languages(content, current.voice)
    languages = [(tag, locale.name + ("" if tag in content.offered else ", not offered to residents"), tag in heard)
                 for tag, locale in content.locales.items() if tag in content.offered or content.coverage[tag].translated]
    return render_template("staff/looking/index.html", languages=languages, shown=shown, fallback=content.fallback(),
                           locales=content.locales, disk=versions.store() is None)


@blueprint.post("/simulate")
def simulate() -> Response | tuple[Response, int]:
    """{channel, lang, session, input} -> what the resident receives and the next session.
    `input` null starts a conversation (in `lang` when given); `session` is what the last
    answer returned."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="send JSON: {channel, lang, session, input}"), 400
    channel, lang, state, text, version = (data.get(k) for k in ("channel", "lang", "session", "input", "version"))
    if not all(v is None or isinstance(v, str) for v in (lang, state, text, version)):
        return jsonify(error="lang, session, input and version are strings or null"), 400
    if state is not None and (len(state) > MAX_STATE or (channel == sms.CHANNEL and sessions.decode(state) is None)):
        return jsonify(error="session is what the last answer returned, or null"), 400
    current = shared.line()
    shown = _shown(version)
    if version in (preview.DRAFT, versions.MINE) and shown.version != version:
        return jsonify(error=shown.problem), 409
    content, lang, text = shown.content, lang or None, None if text is None else text[:MAX_INPUT]
    texting = {c.name: c for c in (current.sms, current.whatsapp)}.get(str(channel))
    if texting is not None:
        if lang and lang not in content.locales:  # staff may try a language residents are not offered yet
            return jsonify(error=f"{lang} is not in locales.yaml"), 400
        return jsonify(text_turn(content, texting, lang, state, text))
    if channel == voice.CHANNEL:
        if lang and lang not in voice.heard_languages(content, current.voice):
            return jsonify(error=f"{lang} cannot be heard on the voice line (SMS only)"), 400
        return jsonify(voice_turn(content, current.voice, lang, state, text))
    return jsonify(error="channel is sms, whatsapp or voice"), 400


# One node in every language --------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    """One node in one language, as residents get it (or would, in the draft)."""

    tag: str
    name: str
    rtl: bool
    by_sms: bool
    by_voice: str          # how callers hear it, or "" when they cannot
    title: str
    paragraphs: list[str]
    pages: list[dict[str, Any]]   # the SMS as sent, with encoding and segments
    fallback: list[str]           # its strings served in English or from an earlier English, and why


@blueprint.get("/node/<node_id>")
def node_page(node_id: str) -> str:
    current = shared.line()
    shown = _shown(request.args.get("version"))
    content = shown.content
    found = content.flow.nodes.get(node_id) or abort(404)
    heard = voice.heard_languages(content, current.voice)
    versions = []
    for tag, locale in content.locales.items():
        texts = content.texts_for(tag)
        how = voice.hearing(content, current.voice, tag) if tag in heard else ""
        spoken = f"{locale.voice or 'Twilio default voice'}, {locale.say_language}" if how == voice.SPOKEN else how
        keys = ((node_id, found.text), (node_id, found.title))
        pages = messaging.render(content, Reply(node=node_id, lang=tag), current.sms)
        fallback = content.coverage[tag].fallback
        versions.append(Version(tag, locale.name, locale.rtl, tag in content.offered, spoken, title(texts, found),
                                paragraphs(texts, found), [costed(p, current.sms) for p in pages],
                                [_fell_back(fallback[k]) for k in keys if k in fallback]))
    return render_template("staff/looking/node.html", node=found, flow=content.flow, versions=versions, shown=shown)


def _fell_back(served: Served) -> str:
    """Why a string of this screen is not in its own translation, for the badge."""
    got = "from the earlier English" if served.how == OLDER else "in English"
    return f"{got}: {REASONS[served.reason]}"


# The flow as a picture -------------------------------------------------------------------

@blueprint.get("/flow")
def flow_page() -> str:
    """SVG through Graphviz when `dot` is installed; else the Mermaid text (no script may
    be fetched to draw it)."""
    current = shared.line().content.flow
    try:
        drawn = graph.svg(current)
        picture, mermaid, problem = Markup(drawn[drawn.index("<svg"):]), "", ""
    except graph.GraphError as exc:
        picture, mermaid, problem = Markup(""), graph.mermaid(current), str(exc)
    return render_template("staff/looking/flow.html", picture=picture, mermaid=mermaid, problem=problem,
                           flow=current)


# Counts ----------------------------------------------------------------------------------

def _filters() -> tuple[str, str]:
    """The counts' channel and language: one the line has, or all (""); anything else is 400."""
    channel, lang = request.args.get("channel", ""), request.args.get("lang", "")
    if channel not in ("", *NAMES) or lang not in ("", *shared.line().content.locales):
        abort(400)
    return channel, lang


@blueprint.get("/counts")
def counts() -> str | tuple[str, int]:
    channel, lang = _filters()
    content = shared.line().content
    page = {"channel": channel, "lang": lang, "days": figures.DAYS, "locales": content.locales, "channels": NAMES}
    try:
        rows = figures.rows(shared.line().store.client, "", lang)
    except redis.RedisError:
        return render_template("staff/looking/counts.html", bars=None, **page), 503
    bars = figures.chart(content.flow, [r for r in rows if channel in ("", r.channel)])
    by_channel = [(NAMES.get(c, c), stats.shown(n)) for c, n in stats.conversations(rows, NAMES).items()]
    unreached = [n for n in content.flow.nodes.values() if n.id not in {b.node for b in bars}]
    return render_template("staff/looking/counts.html", bars=bars, unreached=unreached, by_channel=by_channel,
                           **page)


@blueprint.get("/counts.csv")
def counts_csv() -> Response:
    try:
        rows = figures.rows(shared.line().store.client, *_filters())
    except redis.RedisError:
        return Response("Counts are unavailable: Redis does not answer.\n", 503, mimetype="text/plain")
    return Response(stats.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="hotline-counts-{figures.DAYS}-days.csv"'})


# Problems ----------------------------------------------------------------------------------

@blueprint.get("/check")
def check_page() -> str:
    cfg = current_app.config
    report = run_check(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]), cfg)
    warnings = [p for p in report.problems if p.severity == WARNING]
    return render_template("staff/looking/check.html", report=report, warnings=warnings,
                           nodes=shared.line().content.flow.nodes, staff_words=staff_words)
