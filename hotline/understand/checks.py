"""`hotline check`'s rules for understanding: what would make residents' words lead the
wrong way, found before an edit is served. Warnings only: the line still answers."""
from __future__ import annotations

from collections.abc import Mapping

from hotline.content import Content
from hotline.engine import path_to
from hotline.flow.model import PLACEHOLDER, Problem
from hotline.languages.locales import SOURCE
from hotline.languages.phrases import KEY_HELP, KEY_HOME, KEY_START, KEY_STOP
from hotline.languages.words import normalize, words
from hotline.understand.safety import BOTH_NUMBERS, URGENT
from hotline.understand.vocabulary import lexicon, node_texts

# The keywords that act across languages (navigation words act only in their own).
KEYWORDS = (KEY_START, KEY_HOME, KEY_HELP, KEY_STOP)
WARNING = "warning"


def shared_phrases(content: Content) -> list[Problem]:
    """An `also:` phrase two nodes share (in one language): said alone it can only offer
    both. A menu and a node under it may share words (the node wins)."""
    flow, out = content.flow, []
    for tag in content.offered:
        texts, owner = content.texts_for(tag), dict[str, str]()
        for node in flow.nodes.values():
            for phrase in {normalize(p) for p in node_texts(texts, node)[2].split(",")} - {""}:
                first = owner.setdefault(phrase, node.id)
                if first != node.id and not (first in path_to(flow, node.id) or node.id in path_to(flow, first)):
                    out.append(Problem(node.file, node.line, node.id,
                                       f"{tag}: also: phrase '{phrase}' is also {first}'s: "
                                       "alone it leads to a list of both, never to one", WARNING))
    return out


def keyword_collisions(content: Content, label: str, lines: Mapping[str, int]) -> list[Problem]:
    """A keyword of one language that is an everyday word of another offered language: it
    does not act for residents of that language (keywords.py), so say so to staff. The
    English words act everywhere by design (Twilio's, and the line's own)."""
    lex, out = lexicon(content), []
    for tag in content.offered:
        if tag == SOURCE:
            continue
        texts = content.texts_for(tag)
        for phrase in KEYWORDS:
            for word in texts.own_keywords(phrase) - words(phrase.text):
                for other in content.offered:
                    theirs = set().union(*(content.texts_for(other).own_keywords(p) for p in KEYWORDS))
                    if other != tag and word in lex.everyday(other) and word not in theirs:
                        out.append(Problem(label, lines.get(tag, 0), "",
                                           f"{tag}: keyword '{word}' ({phrase.context}) is an everyday word in "
                                           f"{other}: it does not act for {other} residents"
                                           + (", nor on a first text" if phrase == KEY_STOP else ""), WARNING))
    return out


def missing_phrases(content: Content) -> list[Problem]:
    """Nodes without `also:` phrases (in the flow), and per language the nodes whose
    phrases are not translated (or are stale): words find those only by title and text."""
    flow, out = content.flow, []
    for node in flow.nodes.values():
        if not node.also:
            out.append(Problem(node.file, node.line, node.id,
                               "no also: phrases: residents' own words find it only by its title and text", WARNING))
    for tag in content.offered:
        if tag == SOURCE:
            continue
        texts = content.texts_for(tag)
        lacking = [n.id for n in flow.nodes.values() if n.also and not node_texts(texts, n)[2]]
        if lacking:
            node = flow.nodes[lacking[0]]
            out.append(Problem(node.file, node.line, node.id,
                               f"{tag}: {len(lacking)} node(s) have no also: phrases in this language "
                               f"({', '.join(lacking[:5])}{', ...' if len(lacking) > 5 else ''})", WARNING))
    return out


def urgent_nodes(content: Content, label: str) -> list[Problem]:
    """The urgent nodes the safety rules name (safety.py) are in the flow, and the page crisis
    words lead to gives both numbers: else those rules quietly stop protecting anyone."""
    flow, out = content.flow, []
    for node in sorted(URGENT - set(flow.nodes)):
        out.append(Problem(label, 0, node, "an urgent node of hotline/understand/safety.py is not in the flow: "
                                           "words about it lose their safety rule", WARNING))
    both = flow.nodes.get(BOTH_NUMBERS)
    if both is None or not {"{e911}", "{988}"} <= {f"{{{name}}}" for name in PLACEHOLDER.findall(both.text)}:
        out.append(Problem(label, 0, BOTH_NUMBERS, "crisis words lead here (safety.py), but its text does not give "
                                                   "both {e911} and {988}", WARNING))
    return out


def understanding_problems(content: Content, label: str, lines: Mapping[str, int]) -> list[Problem]:
    return (shared_phrases(content) + keyword_collisions(content, label, lines) + missing_phrases(content)
            + urgent_nodes(content, label))
