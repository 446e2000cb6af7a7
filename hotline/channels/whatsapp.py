"""The WhatsApp channel: the same line through Twilio's WhatsApp senders.

Twilio posts WhatsApp messages to the same Messaging webhook as SMS, with `From` as
`whatsapp:+1...`. No segments and no cost per character: full Unicode (accents stay), a
page is one message up to Twilio's 1,600 characters and paged with MORE only past that,
and titles are set in WhatsApp's *bold*. Twilio answers no keyword on WhatsApp (unless
Advanced Opt-Out is set up, which then says so with `OptOutType`), so the line confirms
every opt-out itself. `ProfileName` and `WaId` arrive with every message: nothing reads them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from hotline.channels import WHATSAPP
from hotline.channels.messaging import TextChannel

CHANNEL = WHATSAPP
PREFIX = "whatsapp:"


def address(sender: str) -> str | None:
    """The number behind a WhatsApp `From` (`whatsapp:+1...`), or None for any other sender."""
    if sender[:len(PREFIX)].lower() != PREFIX:
        return None
    return sender[len(PREFIX):].strip()


@dataclass(frozen=True)
class WhatsAppSettings(TextChannel):
    name: ClassVar[str] = CHANNEL

    def heading(self, text: str) -> str | None:
        return f"*{text}*"
