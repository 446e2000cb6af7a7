"""The SMS channel: a resident's text in, the text they receive out.

Numbered menus, navigation words in the resident's language, pages that fit the segment
budget (with MORE), GSM-7 folding where the language allows it, STOP and HELP handling.
Pure apart from building TwiML; the web layer loads and saves the session.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from collections.abc import Callable, Mapping

from twilio.twiml.messaging_response import MessagingResponse

from hotline import gsm
from hotline.content import Content
from hotline.engine import Reply, Session, step
from hotline.flow.model import MENU, PAGE, TRANSFER
from hotline.i18n import Texts
from hotline.phrases import (
    CHOOSE_LANGUAGE, HELP, MENU_FOOTER, MENU_FOOTER_MAIN, MORE, NOT_UNDERSTOOD, PAGE_FOOTER,
    SHORT_CODE_HELP, STOPPED, WRONG_LANGUAGE,
)
from hotline.render import fill, paragraphs, service_hours, service_name, title
from hotline.understand import is_stop, understand

CHANNEL = "sms"


@dataclass(frozen=True)
class SmsSettings:
    short_code: bool = False  # carriers require the app to answer STOP and HELP itself
    budget: int = 3           # most segments one reply may cost

    @classmethod
    def from_config(cls, cfg: Mapping) -> SmsSettings:
        return cls(short_code=bool(cfg["SMS_SHORT_CODE"]), budget=int(cfg["SMS_SEGMENTS"]))


@dataclass(frozen=True)
class SmsAnswer:
    """`session` None: forget the resident. `texts` empty: send nothing."""

    session: Session | None
    texts: tuple[str, ...]
    reply: Reply | None = None
    stopped: bool = False


def answer(content: Content, session: Session | None, body: str, settings: SmsSettings) -> SmsAnswer:
    """One incoming text -> what to store and what to send back."""
    if is_stop(content, body, session.lang if session else None):
        # On a long code Twilio confirms the opt-out itself and a reply would fail (21610).
        texts = content.texts_for(session.lang if session else None)
        return SmsAnswer(None, (texts.phrase(STOPPED),) if settings.short_code else (), stopped=True)
    event = understand(content, session, body)
    session, reply = step(content.flow, session, event)
    pages = render(content, reply, settings)
    page = min(reply.page, len(pages) - 1)
    return SmsAnswer(replace(session, page=page), (pages[page],), reply)


@lru_cache(maxsize=8192)  # the same few hundred replies again and again
def twiml(texts: tuple[str, ...]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


def render(content: Content, reply: Reply, settings: SmsSettings) -> list[str]:
    """All pages of what the resident receives for this reply; each fits the budget."""
    return list(_render(content, reply.node, reply.lang, reply.notice, settings, reply.offer))


@lru_cache(maxsize=8192)  # a few hundred (node, language, notice) combinations per content
def _render(content: Content, node_id: str | None, lang: str | None, notice: str | None,
            settings: SmsSettings, offer: tuple[str, ...] = ()) -> tuple[str, ...]:
    texts = content.texts_for(lang)
    fold = content.locales[texts.locale.tag].folds
    head = _notice(texts, notice, settings)
    if notice == "language" and node_id != content.flow.start:  # the main menu's footer says it
        head = [texts.phrase(WRONG_LANGUAGE)]
    if node_id is None:
        tail = [_language_list(content)]
    elif offer:  # what the resident's words may have meant, instead of where they are
        tail = [_numbered(content, texts, offer), texts.phrase(MENU_FOOTER)]
    else:
        node = content.flow.nodes[node_id]
        if notice != "help":  # the description of the line stands in for the node's text
            head += [fill(p, content.flow, lambda s: s.phone) for p in paragraphs(texts, node)]
        tail = _tail(content, texts, node)
    # What to do next comes first when a reply is paged: a menu's options, a service's number.
    choices_first = node_id is not None and content.flow.nodes[node_id].kind in (MENU, TRANSFER)
    return tuple(paginate(head, tail, texts, fold, settings.budget, choices_first))


def forget_rendered() -> None:
    """Drop cached replies (after a reload: they hold the old content alive)."""
    _render.cache_clear()
    twiml.cache_clear()


def _notice(texts: Texts, notice: str | None, settings: SmsSettings) -> list[str]:
    if notice == "help":
        extra = f" {texts.phrase(SHORT_CODE_HELP)}" if settings.short_code else ""
        return [texts.phrase(HELP) + extra]
    if notice in ("unknown", "silence"):
        return [texts.phrase(NOT_UNDERSTOOD)]
    return []


def _language_list(content: Content) -> str:
    lines = [content.texts_for(None).phrase(CHOOSE_LANGUAGE)]
    lines += [f"{i} {content.locales[tag].name}" for i, tag in enumerate(content.offered, 1)]
    return "\n".join(lines)


def _tail(content: Content, texts: Texts, node) -> list[str]:
    flow = content.flow
    if node.kind == MENU:
        footer = MENU_FOOTER_MAIN if node.id == flow.start else MENU_FOOTER
        return [_numbered(content, texts, node.options), texts.phrase(footer)]
    if node.kind == TRANSFER:
        service = flow.services[node.service]
        card = "\n".join(x for x in (service_name(texts, service), service.phone,
                                     service_hours(texts, service)) if x)
        return [card, texts.phrase(PAGE_FOOTER)]
    assert node.kind == PAGE
    return [texts.phrase(PAGE_FOOTER)]


def _numbered(content: Content, texts: Texts, options: tuple[str, ...]) -> str:
    return "\n".join(f"{i} {title(texts, content.flow.nodes[o])}" for i, o in enumerate(options, 1))


def paginate(head: list[str], tail: list[str], texts: Texts, fold: bool, budget: int,
             tail_first: bool = False) -> list[str]:
    """Split into messages of at most `budget` segments: paragraphs first, then sentences,
    then words. The options or service card and the footer (`tail`) close the last page, or
    with `tail_first` come on the first page, after as much text as fits."""
    def finish(text: str) -> str:
        return gsm.fold(text) if fold else text

    whole = finish("\n\n".join(head + tail))
    if gsm.fits(whole, budget):
        return [whole]
    more = texts.phrase(MORE, page=9, pages=9)

    def fits_with_more(text: str) -> bool:
        return gsm.fits(finish(text + "\n\n" + more), budget)

    join = "\n\n".join
    pieces = _pieces(head, fits_with_more)
    first_tail, last_tail = _first(tail, fits_with_more) if tail_first else ([], tail)
    pages: list[str] = []
    if first_tail:
        n = 0
        while n < len(pieces) and fits_with_more(join(pieces[:n + 1] + first_tail)):
            n += 1
        pages.append(join(pieces[:n] + first_tail))
        pieces = pieces[n:]
    *packed, current = _pack(pieces, "\n\n", fits_with_more) or [""]
    pages += packed
    last = join(([current] if current else []) + last_tail)
    if current and last_tail and not gsm.fits(finish(last), budget):
        pages.append(current)
        last = join(last_tail)
    if last:
        pages.append(last)
    total = len(pages)
    out = [finish(f"{p}\n\n{texts.phrase(MORE, page=i, pages=total)}") for i, p in enumerate(pages[:-1], 1)]
    return out + [finish(pages[-1])]


def _first(tail: list[str], fits: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """What of the options (or card) and footer goes on the first page: both, else the
    options alone (the footer then closes the last page), else nothing (they go last)."""
    for first in (tail, tail[:1]):
        if fits("\n\n".join(first)):
            return first, tail[len(first):]
    return [], tail


def _pack(pieces: list[str], joiner: str, fits: Callable[[str], bool]) -> list[str]:
    """Join consecutive pieces while the result still fits; a piece too long alone stays alone."""
    out: list[str] = []
    for piece in pieces:
        if out and fits(out[-1] + joiner + piece):
            out[-1] += joiner + piece
        else:
            out.append(piece)
    return out


def _pieces(head: list[str], fits: Callable[[str], bool]) -> list[str]:
    """Paragraphs, broken into sentences and then words where one alone is too long."""
    out: list[str] = []
    for paragraph in head:
        out.extend([paragraph] if fits(paragraph) else _pack(_sentences_then_words(paragraph, fits), " ", fits))
    return out


def _sentences_then_words(paragraph: str, fits: Callable[[str], bool]) -> list[str]:
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?。！？।॥؟])\s*", paragraph):
        if not sentence:
            continue
        if fits(sentence):
            out.append(sentence)
        else:
            out.extend(sentence.split() if " " in sentence else [sentence[i:i + 60] for i in range(0, len(sentence), 60)])
    return out
