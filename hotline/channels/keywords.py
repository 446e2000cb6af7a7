"""Opt-out, opt-in and help words as Twilio really treats them, for the text channels.

On a long code or toll-free number Twilio answers its English words itself and still
forwards the message; with Advanced Opt-Out it says which kind a message was
(`OptOutType`). Then one reply, Twilio's, is enough: the line acts (an opt-out forgets the
conversation) and sends nothing, since a reply after STOP fails (21610) and after START or
HELP is a second message. Every other opt-out word, in any language, and every one where
Twilio answers none (WhatsApp, a short code), the line confirms in the word's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hotline.content import Content
from hotline.engine import Session
from hotline.languages.phrases import KEY_STOP, STOPPED, TWILIO_HELP, TWILIO_OPT_IN, TWILIO_OPT_OUT
from hotline.languages.words import normalize
from hotline.understand import is_stop

if TYPE_CHECKING:
    from hotline.channels.messaging import TextChannel

# Twilio's keywords, named as its OptOutType field names them; a message is one when it is
# the whole message, in any case.
OPT_OUT, OPT_IN, HELP = "STOP", "START", "HELP"
TWILIO_KEYWORDS: Mapping[str, str] = {
    **dict.fromkeys(TWILIO_OPT_OUT, OPT_OUT), **dict.fromkeys(TWILIO_OPT_IN, OPT_IN), **dict.fromkeys(TWILIO_HELP, HELP),
}


def twilio_keyword(body: str) -> str | None:
    """The kind (OPT_OUT, OPT_IN, HELP) of Twilio's word the whole message is, if any."""
    return TWILIO_KEYWORDS.get(body.strip().upper())


def answered_by_twilio(body: str, opt_out_type: str, channel: TextChannel) -> str | None:
    """The kind of keyword Twilio has already answered this message as; None: the line answers."""
    kind = opt_out_type.strip().upper()
    if kind in (OPT_OUT, OPT_IN, HELP):
        return kind
    return twilio_keyword(body) if channel.twilio_keywords else None


def opts_out(content: Content, body: str, opt_out_type: str = "", lang: str | None = None) -> bool:
    """The message opts out: Twilio says so, it is in Twilio's list, or it is an opt-out word
    of the resident's language `lang` (of any language the line knows while `lang` is
    unknown: BASTA is an everyday word to a Tagalog speaker)."""
    return (opt_out_type.strip().upper() == OPT_OUT or twilio_keyword(body) == OPT_OUT
            or is_stop(content, body, lang))


def confirmation(content: Content, session: Session | None, body: str, channel: TextChannel) -> str:
    """The line's own opt-out confirmation, in the word's language, naming who runs the line."""
    texts = content.texts_for(_language(content, session, body))
    named = f"{channel.organisation}: " if channel.organisation else ""
    return channel.finish(named + texts.phrase(STOPPED), content.locales[texts.locale.tag].folds)


def _language(content: Content, session: Session | None, body: str) -> str | None:
    """The conversation's language when the word is one it accepts (its own or English);
    otherwise the first language whose own word it is (СТОП: Ukrainian)."""
    word = normalize(body)
    lang = session.lang if session else None
    if lang and (word in content.texts_for(lang).keywords(KEY_STOP) or twilio_keyword(body)):
        return lang
    return next((t for t in content.offered if word in content.texts[t].own_keywords(KEY_STOP)), lang)
