"""What the text channels share: a resident's message in, the messages they receive out.

Numbered menus, navigation words in the resident's language, pages that fit one message
(with MORE), opt-out, help and start words (`keywords`). SMS and WhatsApp differ only in
the `TextChannel` they pass in (sms.py, whatsapp.py): what one message may hold, folding,
formatting, whether Twilio answers its own keywords.
Pure apart from building TwiML; the web layer loads and saves the session.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, ClassVar, Self

from twilio.twiml.messaging_response import MessagingResponse

from hotline.channels import MAX_MESSAGE, keywords
from hotline.channels.render import fill, paragraphs, service_hours, service_name, title
from hotline.content import Content
from hotline.engine import Event, Notice, Reply, Session, Start, step
from hotline.flow.model import MENU, PAGE, TRANSFER, Node
from hotline.languages.phrases import (
    CHOOSE_LANGUAGE,
    HELP,
    MEDIA,
    MENU_FOOTER,
    MENU_FOOTER_MAIN,
    MORE,
    NOT_UNDERSTOOD,
    PAGE_FOOTER,
    WRONG_LANGUAGE,
)
from hotline.languages.texts import Texts
from hotline.understand import understand


@dataclass(frozen=True)
class TextChannel:
    """What differs between the transports a text travels by. Frozen: a render cache key."""

    name: ClassVar[str]     # the channel, as sessions and counts name it
    organisation: str = ""  # who runs the line: named in help and opt-out answers
    contact: str = ""       # how to reach them (a number, an address)

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> Self:
        # str(): the environment's JSON parsing reads a bare phone number as an int
        return cls(organisation=str(cfg["ORG_NAME"] or ""), contact=str(cfg["ORG_CONTACT"] or ""))

    @property
    def twilio_keywords(self) -> bool:
        """Twilio itself answers its English keywords on this transport."""
        return False

    def fits(self, text: str) -> bool:
        """One message can carry this text as sent."""
        return len(text) <= MAX_MESSAGE

    def finish(self, text: str, folds: bool) -> str:
        """The text as sent, for a language that `folds` into GSM-7 where SMS costs allow."""
        return text

    def heading(self, text: str) -> str | None:
        """A title set apart above a node's text, or None where a title costs too much."""
        return None

    def help_notes(self, texts: Texts) -> list[str]:
        """What the help text adds on this transport: who runs the line."""
        if not self.organisation:
            return []
        return [f"{self.organisation} ({self.contact})." if self.contact else f"{self.organisation}."]


@dataclass(frozen=True)
class TextAnswer:
    """`session` None: forget the resident. `texts` empty: send nothing."""

    session: Session | None
    texts: tuple[str, ...]
    reply: Reply | None = None
    stopped: bool = False


def answer(content: Content, session: Session | None, body: str, channel: TextChannel,
           opt_out_type: str = "", media: bool = False) -> TextAnswer:
    """One incoming message -> what to store and what to send back. `media`: a photo or a
    voice note came with it; without words, the resident hears that the line reads text
    (and how to reach a person, on the main menu), never that they were not understood."""
    if media and not body.strip():
        session, reply = step(content.flow, session, Start(session.lang if session else None))
        reply = replace(reply, notice=Notice.MEDIA)
        return TextAnswer(session, (render(content, reply, channel)[0],), reply)
    answered = keywords.answered_by_twilio(body, opt_out_type, channel)
    if answered:  # Twilio's reply is the one: act on it, send nothing
        forget = answered == keywords.OPT_OUT
        return TextAnswer(None if forget else session, (), stopped=forget)
    if keywords.opts_out(content, body, lang=session.lang if session else None):
        return TextAnswer(None, (keywords.confirmation(content, session, body, channel),), stopped=True)
    event: Event
    if keywords.twilio_keyword(body) == keywords.OPT_IN:  # the main menu again, in the resident's language
        event = Start(session.lang if session else None)
    else:
        event = understand(content, session, body)
    session, reply = step(content.flow, session, event)
    pages = render(content, reply, channel)
    page = min(reply.page, len(pages) - 1)
    return TextAnswer(session if session.page == page else replace(session, page=page), (pages[page],), reply)


@lru_cache(maxsize=8192)  # the same few hundred replies again and again
def twiml(texts: tuple[str, ...]) -> str:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return str(response)


def render(content: Content, reply: Reply, channel: TextChannel) -> list[str]:
    """All pages of what the resident receives for this reply; each fits one message."""
    return list(_render(content, reply.node, reply.lang, reply.notice, channel, reply.offer))


@lru_cache(maxsize=8192)  # a few hundred (node, language, notice, channel) combinations per content
def _render(content: Content, node_id: str | None, lang: str | None, notice: Notice | None,
            channel: TextChannel, offer: tuple[str, ...] = ()) -> tuple[str, ...]:
    texts = content.texts_for(lang)
    folds = content.locales[texts.locale.tag].folds
    head = _notice(texts, notice, channel)
    # The language was told from the resident's words: how to change it (the main menu's
    # footer says it already). After a page's text, so that what they asked for (911, a
    # number, "do not open the door") comes first; before a short list.
    hint = [texts.phrase(WRONG_LANGUAGE)] if notice == Notice.LANGUAGE and node_id != content.flow.start else []
    if node_id is None:
        head += hint
        tail = [_language_list(content)]
        folds = False  # each language's name as it is written ("Français"); the list is UCS-2 anyway
    elif offer:  # what the resident's words may have meant, instead of where they are
        head += hint
        tail = [_numbered(content, texts, offer), texts.phrase(MENU_FOOTER)]
    else:
        node = content.flow.nodes[node_id]
        heading = channel.heading(title(texts, node))
        head += [heading] if heading else []
        if notice != Notice.HELP:  # the description of the line stands in for the node's text
            head += [fill(p, content.flow, lambda s: s.phone) for p in paragraphs(texts, node)]
        head += hint
        tail = _tail(content, texts, node, channel)
    # What to do next comes first when a reply is paged (a menu's options, a service's
    # number), except after HELP: what the line is, and who runs it, was the question.
    choices_first = (notice != Notice.HELP and node_id is not None and not offer
                     and content.flow.nodes[node_id].kind in (MENU, TRANSFER))
    # The main menu's first paragraph (911, not legal advice, privacy) comes with its options.
    lead = node_id == content.flow.start
    return tuple(paginate(head, tail, texts, channel, folds, choices_first, lead))


def forget_rendered() -> None:
    """Drop cached replies (after a reload: they hold the old content alive)."""
    _render.cache_clear()
    twiml.cache_clear()


def _notice(texts: Texts, notice: Notice | None, channel: TextChannel) -> list[str]:
    if notice == Notice.HELP:
        return [" ".join([texts.phrase(HELP), *channel.help_notes(texts)])]
    if notice in (Notice.UNKNOWN, Notice.SILENCE):
        return [texts.phrase(NOT_UNDERSTOOD)]
    if notice == Notice.MEDIA:
        return [texts.phrase(MEDIA)]
    return []


def _language_list(content: Content) -> str:
    lines = [content.texts_for(None).phrase(CHOOSE_LANGUAGE)]
    lines += [f"{i} {content.locales[tag].name}" for i, tag in enumerate(content.offered, 1)]
    return "\n".join(lines)


def _tail(content: Content, texts: Texts, node: Node, channel: TextChannel) -> list[str]:
    flow = content.flow
    if node.kind == MENU:
        footer = MENU_FOOTER_MAIN if node.id == flow.start else MENU_FOOTER
        return [_numbered(content, texts, node.options), texts.phrase(footer)]
    if node.kind == TRANSFER:
        service = flow.service_of(node)
        name = service_name(texts, service)
        card = "\n".join(x for x in (channel.heading(name) or name, service.phone,
                                     service_hours(texts, service)) if x)
        return [card, texts.phrase(PAGE_FOOTER)]
    assert node.kind == PAGE
    return [texts.phrase(PAGE_FOOTER)]


def _numbered(content: Content, texts: Texts, options: tuple[str, ...]) -> str:
    return "\n".join(f"{i} {title(texts, content.flow.nodes[o])}" for i, o in enumerate(options, 1))


def paginate(head: list[str], tail: list[str], texts: Texts, channel: TextChannel, folds: bool,
             tail_first: bool = False, lead: bool = False) -> list[str]:
    """Split into messages the channel can carry: paragraphs first, then sentences, then
    words. The options or service card and the footer (`tail`) close the last page, or
    with `tail_first` come on the first page, after as much text as fits; with `lead` the
    first paragraph comes on that page too, the footer moving to the last page if need be."""
    def finish(text: str) -> str:
        return channel.finish(text, folds)

    whole = finish("\n\n".join(head + tail))
    if channel.fits(whole):
        return [whole]
    more = texts.phrase(MORE, page=9, pages=9)

    def fits_with_more(text: str) -> bool:
        return channel.fits(finish(text + "\n\n" + more))

    join = "\n\n".join
    pieces = _pieces(head, fits_with_more)
    first_tail, last_tail = _first(tail, fits_with_more, pieces[:1] if lead else []) if tail_first else ([], tail)
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
    if current and last_tail and not channel.fits(finish(last)):
        pages.append(current)
        last = join(last_tail)
    if last:
        pages.append(last)
    total = len(pages)
    out = [finish(f"{p}\n\n{texts.phrase(MORE, page=i, pages=total)}") for i, p in enumerate(pages[:-1], 1)]
    return out + [finish(pages[-1])]


def _first(tail: list[str], fits: Callable[[str], bool], lead: list[str] | None = None) -> tuple[list[str], list[str]]:
    """What of the options (or card) and footer goes on the first page: both, else the
    options alone (the footer then closes the last page), else nothing (they go last).
    With `lead`, first whichever of both or the options alone also leaves room for it."""
    for before in ([lead] if lead else []) + [[]]:
        for first in (tail, tail[:1]):
            if fits("\n\n".join(before + first)):
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
