"""The SMS channel: what a text costs and how Twilio treats it on a phone number.

Pages fit a budget of segments (GSM-7 or UCS-2, as `gsm` counts them), accents outside
GSM-7 are folded where the language allows it, and a title costs a line no one needs. On
a long code or toll-free number Twilio answers its own English keywords; on a short code
(`SMS_SHORT_CODE`) it answers none, so the line answers STOP and HELP itself, naming the
organisation as carriers require. Answering and paging are shared (`messaging`).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from hotline.channels import SMS, gsm
from hotline.channels.messaging import TextChannel
from hotline.languages.phrases import SHORT_CODE_HELP
from hotline.languages.texts import Texts

CHANNEL = SMS


@dataclass(frozen=True)
class SmsSettings(TextChannel):
    name: ClassVar[str] = CHANNEL
    short_code: bool = False  # carriers require the app to answer STOP and HELP itself
    budget: int = 3           # most segments one reply may cost

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> SmsSettings:
        return replace(super().from_config(cfg), short_code=bool(cfg["SMS_SHORT_CODE"]),
                       budget=int(cfg["SMS_SEGMENTS"]))

    @property
    def twilio_keywords(self) -> bool:
        return not self.short_code

    def fits(self, text: str) -> bool:
        return super().fits(text) and gsm.fits(text, self.budget)

    def finish(self, text: str, folds: bool) -> str:
        return gsm.fold(text) if folds else text

    def help_notes(self, texts: Texts) -> list[str]:
        return [*super().help_notes(texts), *([texts.phrase(SHORT_CODE_HELP)] if self.short_code else [])]
