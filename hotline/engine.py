"""The engine: steps a session through a flow. Pure: no Flask, Redis, Twilio or text.

`step(flow, session, event) -> (session, reply)`. Channels turn a resident's words into an
`Event` and the `Reply` into SMS text or speech; the engine only knows where they are.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from hotline.flow.model import MENU, Flow


class Action(StrEnum):
    """Navigation every channel offers in every language."""

    BACK = "back"
    HOME = "home"
    REPEAT = "repeat"
    HELP = "help"
    LANGUAGE = "language"
    MORE = "more"


BACK, HOME, REPEAT, HELP, LANGUAGE, MORE = Action  # the names the channels and tests use
NAVIGATION = tuple(Action)
MAX_TRAIL = 20


class Notice(StrEnum):
    """What may come before a reply's own text. Stored in sessions by its value."""

    UNKNOWN = "unknown"    # not understood
    SILENCE = "silence"    # nothing said (voice)
    HELP = "help"          # what the line is
    LANGUAGE = "language"  # the language was guessed: how to change it
    MEDIA = "media"        # a photo or voice note without words (the text channels set it)


@dataclass(frozen=True)
class Session:
    """Where one resident is. Holds no identifier and no text they sent."""

    lang: str | None = None
    node: str = "main"
    trail: tuple[str, ...] = ()
    page: int = 0
    misses: int = 0
    steps: int = 0
    offer: tuple[str, ...] = ()  # nodes a resident's words may have meant, numbered from 1
    by_words: bool = False       # this node was reached by the resident's own words (staff counts)
    notice: Notice | None = None  # what was put before the reply being read: MORE pages that same reply

    def __post_init__(self) -> None:
        # A session read back from JSON has lists; keep it hashable and comparable.
        object.__setattr__(self, "trail", tuple(self.trail))
        object.__setattr__(self, "offer", tuple(self.offer))

    @property
    def choosing_language(self) -> bool:
        return self.lang is None


@dataclass(frozen=True)
class Start:
    """First contact, or a greeting; `lang` when the words said which language, `help`
    when they asked what the line is."""

    lang: str | None = None
    help: bool = False
    guessed: bool = False  # the language was told from the words: the reply says how to change it


@dataclass(frozen=True)
class Choose:
    """Option `number` (1-based) of the current menu."""

    number: int


@dataclass(frozen=True)
class Goto:
    """A resident's words named this node; `lang` when they also told the language
    (a first text)."""

    node: str
    lang: str | None = None
    guessed: bool = False


@dataclass(frozen=True)
class Offer:
    """A resident's words fit two or three nodes: show just those, numbered from 1."""

    nodes: tuple[str, ...]
    lang: str | None = None
    guessed: bool = False


@dataclass(frozen=True)
class SetLanguage:
    lang: str


@dataclass(frozen=True)
class Navigate:
    action: Action


@dataclass(frozen=True)
class Unknown:
    """Input that matched nothing; `silence` when there was no input at all (voice)."""

    silence: bool = False


Event = Start | Choose | Goto | Offer | SetLanguage | Navigate | Unknown


@dataclass(frozen=True)
class Reply:
    """What to present: the language choice or a node, with an optional notice."""

    node: str | None          # None: the language choice
    lang: str | None
    page: int = 0
    notice: Notice | None = None
    misses: int = 0
    offer: tuple[str, ...] = ()  # instead of the node's own text: a short numbered list


def _at(session: Session, node: str, trail: tuple[str, ...], by_words: bool = False) -> Session:
    return replace(session, node=node, trail=trail[-MAX_TRAIL:], page=0, misses=0, offer=(), by_words=by_words)


def _shown(session: Session, notice: Notice | None = None) -> tuple[Session, Reply]:
    """The session and the reply the resident now reads. The notice is kept in the session:
    whatever came before the node's text on the first message (a language hint, "not
    understood", help), MORE and REPEAT page that very reply, so nothing it pushed on is lost."""
    if session.notice != notice:  # replace() copies every field: only for a change
        session = replace(session, notice=notice)
    node = None if session.choosing_language else session.node
    return session, Reply(node=node, lang=session.lang, page=session.page, notice=notice, misses=session.misses,
                          offer=session.offer)


def path_to(flow: Flow, node: str) -> tuple[str, ...]:
    """The menus from the main menu down to `node` (its BACK trail when reached by words):
    the shortest way, as the resident would have pressed through."""
    parents = flow.parents
    trail: list[str] = []
    while node in parents:
        node = parents[node]
        trail.append(node)
    return tuple(reversed(trail))


def step(flow: Flow, session: Session | None, event: Event) -> tuple[Session, Reply]:
    """Move one step. A session pointing at a node the flow no longer has restarts at the
    main menu, in the same language."""
    if isinstance(event, (Goto, Offer)):
        lang = event.lang or (session.lang if session else None)
        if lang:
            return _found(flow, session, lang, event)
        event = Start()  # words with no language known: the language choice
    if session is None or isinstance(event, Start):
        start = event if isinstance(event, Start) else Start()
        lang = start.lang or (session.lang if session else None)
        fresh = Session(lang=lang, node=flow.start, steps=(session.steps if session else 0) + 1)
        return _shown(fresh, Notice.HELP if start.help else Notice.LANGUAGE if start.guessed and lang else None)
    same_reply = isinstance(event, Navigate) and event.action in (REPEAT, MORE)  # the list offered stays too
    offer, session = session.offer, replace(session, steps=session.steps + 1, offer=session.offer if same_reply else ())
    if session.node not in flow.nodes:
        session = _at(session, flow.start, ())
    if isinstance(event, Choose) and 1 <= event.number <= len(offer) and offer[event.number - 1] in flow.nodes:
        chosen = offer[event.number - 1]
        return _shown(_at(session, chosen, path_to(flow, chosen), by_words=True))
    if isinstance(event, SetLanguage):
        return _shown(_at(replace(session, lang=event.lang), flow.start, ()))
    if isinstance(event, Navigate):
        return _navigate(flow, session, event.action)
    if isinstance(event, Choose) and not session.choosing_language:
        node = flow.nodes[session.node]
        if node.kind == MENU and 1 <= event.number <= len(node.options):
            return _shown(_at(session, node.options[event.number - 1], session.trail + (node.id,)))
    session = replace(session, page=0, misses=session.misses + 1)
    silence = isinstance(event, Unknown) and event.silence
    return _shown(session, Notice.SILENCE if silence else Notice.UNKNOWN)


def _found(flow: Flow, session: Session | None, lang: str, event: Goto | Offer) -> tuple[Session, Reply]:
    """Where a resident's words lead: the node they name (its menus as the BACK trail), or a
    short list of the nodes they may mean, at the node they are at."""
    session = replace(session or Session(node=flow.start), lang=lang, steps=(session.steps if session else 0) + 1)
    if session.node not in flow.nodes:
        session = _at(session, flow.start, ())
    if isinstance(event, Goto) and event.node in flow.nodes:
        session = _at(session, event.node, path_to(flow, event.node), by_words=True)
    elif isinstance(event, Offer):
        session = replace(session, page=0, misses=0, offer=tuple(n for n in event.nodes if n in flow.nodes))
    return _shown(session, Notice.LANGUAGE if event.guessed else None)


def _navigate(flow: Flow, session: Session, action: Action) -> tuple[Session, Reply]:
    if action == LANGUAGE:
        session = replace(session, lang=None, node=flow.start, trail=(), page=0, misses=0)
    elif action == HOME:
        session = _at(session, flow.start, ())
    elif action == BACK:
        trail = tuple(n for n in session.trail if n in flow.nodes)
        session = _at(session, trail[-1], trail[:-1]) if trail else _at(session, flow.start, ())
    elif action == MORE:
        return _shown(replace(session, page=session.page + 1, misses=0), session.notice)
    elif action == REPEAT:  # the same reply, without "not understood" again where it would come first
        unasked = session.page == 0 and session.notice in (Notice.UNKNOWN, Notice.SILENCE)
        return _shown(replace(session, misses=0), None if unasked else session.notice)
    elif action == HELP:
        return _shown(replace(session, page=0, misses=0), Notice.HELP)
    return _shown(session)
