"""Urgent situations: where a wrong page stated as the answer costs the most.

Agents at the door, on the street or at work, a relative detained, an emergency, violence
at home, suicide or self-harm (issue 20). Three rules, applied to what the search found:
- a text holding one of an urgent node's own phrases (its title or an `also:` phrase, in
  the resident's language or English: "auxilio", "ICE en mi casa", "我不想活了") is
  answered with that node, or with a short list holding it when other pages fit too;
- words about a crisis (crisis_988's phrases) lead to the page that carries both 988 and
  911 (`BOTH_NUMBERS`): a person in crisis gets both numbers in the first text;
- when the search doubts between an urgent node and another page, both are listed.
Node ids of flows/main.yaml; `hotline check` warns when one is missing (checks.py).
"""
from __future__ import annotations

from hotline.content import Content
from hotline.languages.words import normalize
from hotline.understand.hanzi import simplified
from hotline.understand.vocabulary import lexicon

URGENT = frozenset({"ice_door", "ice_street_work", "ice_detained", "legal_icirr",
                    "emergencies", "emergency_911", "dv_line", "crisis_988"})
CRISIS = "crisis_988"
BOTH_NUMBERS = "emergency_911"  # its text gives {e911} and {988}
CRISIS_SURE = 0.2  # crisis_988 found by its words (not a phrase) at least this well: both numbers at once
RIVAL = 0.6  # an urgent node scoring this share of the best page is listed with it


def urgent_named(content: Content, lang: str, text: str) -> list[str]:
    """The urgent nodes one of whose own phrases the text holds, whole words only (in
    Chinese and Korean, the phrase's characters in a row, spaces aside)."""
    said = f" {normalize(simplified(text))} "
    packed = said.replace(" ", "")
    found: list[str] = []
    for needle, node, dense in lexicon(content).phrases_of(lang, URGENT):
        if node not in found and needle in (packed if dense else said):
            found.append(node)
    return found
