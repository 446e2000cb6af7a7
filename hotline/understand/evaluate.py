"""How well the line understands residents' own words, on labeled files: for staff
(`hotline understand --eval FILE`) and as the tests' regression floor.

A file is tab-separated: `lang`, `expect`, `text` and an optional `kind` (see
tests/data/understand_fresh.tsv). Each text is tried twice, as a resident would send it:
as a first text (is the reply in their language?) and, when it asks something, at the
main menu in their language (does it reach a node that answers it directly, or a short
list holding one?). A text the line has no page for (`nopage`) is right when no page is
stated: the menu, a question back or a short list.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from hotline.content import Content
from hotline.engine import Session, step
from hotline.understand.events import understand
from hotline.understand.safety import URGENT

NONE = "none"      # a text that says nothing about its language
MAIN = "main"      # a text that asks nothing
NO_PAGE = "nopage"  # a text about something the line has no page for
KINDS = ("roman", "mixed", "trad", "spacing", "long")  # how a text is written, reported apart


@dataclass(frozen=True)
class Example:
    lang: str
    expect: frozenset[str]
    text: str
    line: int
    kind: str = ""


@dataclass
class Score:
    """Per language: first texts answered in it, and questions that reached their node."""

    first: int = 0
    first_right: int = 0
    questions: int = 0
    direct: int = 0
    listed: int = 0
    wrong: int = 0     # texts taken straight to a page that does not answer them
    urgent: int = 0    # questions about an urgent situation (safety.URGENT)
    urgent_wrong: int = 0  # ... taken straight to a page that does not answer them
    no_page: int = 0   # texts the line has no page for
    greetings: int = 0
    welcomed: int = 0  # greetings answered with the main menu, not a page they did not ask for
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for f in fields(self):
            if f.type == "int":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def language_rate(self) -> float:
        return self.first_right / self.first if self.first else 1.0

    @property
    def reached_rate(self) -> float:
        return (self.direct + self.listed) / self.questions if self.questions else 1.0

    @property
    def welcome_rate(self) -> float:
        return self.welcomed / self.greetings if self.greetings else 1.0

    @property
    def direct_rate(self) -> float:
        return self.direct / self.questions if self.questions else 1.0

    @property
    def wrong_rate(self) -> float:
        """Wrong pages stated, of every text that asks something (questions and no-page)."""
        asked = self.questions + self.no_page
        return self.wrong / asked if asked else 0.0


def read_examples(path: Path) -> list[Example]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("lang\t"):
            continue
        lang, expect, text, *kind = line.split("\t")
        out.append(Example(lang, frozenset(expect.split("|")), text, number, kind[0] if kind else ""))
    return out


def where(content: Content, session: Session | None, text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(language, node, short list) the line answers `text` with, from `session`."""
    after, reply = step(content.flow, session, understand(content, session, text))
    return reply.lang, reply.node, reply.offer


def _score(content: Content, ex: Example, score: Score) -> None:
    lang, node, offer = where(content, None, ex.text)
    score.first += 1
    if lang == (None if ex.lang == NONE else ex.lang):
        score.first_right += 1
    else:
        score.misses.append(f"line {ex.line}: first text in {lang or 'no language'}: {ex.text}")
    if ex.lang == NONE:
        return
    if MAIN in ex.expect:
        score.greetings += 1
        if node == content.flow.start and not offer:
            score.welcomed += 1
        else:
            score.misses.append(f"line {ex.line}: a greeting reached {', '.join(offer) or node}: {ex.text}")
        return
    _, node, offer = where(content, Session(lang=ex.lang, node=content.flow.start), ex.text)
    stated = not offer and node != content.flow.start
    got = f"list {', '.join(offer)}" if offer else node
    if NO_PAGE in ex.expect:
        score.no_page += 1
        if stated:
            score.wrong += 1
            score.misses.append(f"line {ex.line}: no page for it, yet stated {node}: {ex.text}")
        return
    score.questions += 1
    urgent = bool(ex.expect & URGENT)
    score.urgent += urgent
    if not offer and node in ex.expect:
        score.direct += 1
    elif set(offer) & ex.expect:
        score.listed += 1
    else:
        score.wrong += stated
        score.urgent_wrong += stated and urgent
        flag = "URGENT, wrong page stated: " if stated and urgent else "wrong page stated: " if stated else ""
        score.misses.append(f"line {ex.line}: {flag}reached {got}, not {'|'.join(sorted(ex.expect))}: {ex.text}")


def evaluate(content: Content, examples: Iterable[Example]) -> dict[str, Score]:
    """Scores per language, and per kind of writing (`roman`, `mixed`...) across languages."""
    scores: dict[str, Score] = {}
    for ex in examples:
        _score(content, ex, scores.setdefault(ex.lang, Score()))
        if ex.kind:
            _score(content, ex, scores.setdefault(f"({ex.kind})", Score()))
    return scores


def total(scores: dict[str, Score]) -> Score:
    """Every language together (the kinds are counted in their languages already)."""
    out = Score()
    for lang, s in scores.items():
        if not lang.startswith("("):
            out.add(s)
    return out


def report(scores: dict[str, Score], verbose: bool = False) -> list[str]:
    """A table: per language, first texts answered in it, greetings that got the main menu,
    questions that reached their node (directly or in a short list) and directly, texts
    the line has no page for, wrong pages stated, and wrong pages stated for urgent ones."""
    lines = [f"{'lang':<9} {'texts':>5} {'in its language':>15} {'greetings to menu':>17} "
             f"{'questions':>9} {'reached':>7} {'directly':>8} {'no page':>7} {'wrong':>5} {'urgent':>6} "
             f"{'urgent wrong':>12}"]
    languages = [(k, s) for k, s in scores.items() if not k.startswith("(")]
    kinds = [(k, s) for k, s in scores.items() if k.startswith("(")]
    for lang, s in [*languages, ("all", total(scores)), *kinds]:
        lines.append(f"{lang:<9} {s.first:>5} {s.language_rate:>15.0%} {s.welcome_rate:>17.0%} "
                     f"{s.questions:>9} {s.reached_rate:>7.0%} {s.direct_rate:>8.0%} {s.no_page:>7} {s.wrong:>5} "
                     f"{s.urgent:>6} {s.urgent_wrong:>12}")
        if verbose and not lang.startswith("("):
            lines += [f"    {m}" for m in s.misses]
    return lines
