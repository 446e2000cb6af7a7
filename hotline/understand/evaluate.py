"""How well the line understands residents' own words, on a labeled file: for staff
(`hotline understand --eval FILE`) and as the tests' regression floor.

The file is tab-separated: `lang`, `expect`, `text` (see tests/data/understand_eval.tsv).
Each text is tried twice, as a resident would send it: as a first text (is the reply in
their language?) and, when it asks something, at the main menu in their language (does it
reach a node that answers it directly, or a short list holding one?).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hotline.content import Content
from hotline.engine import Session, step
from hotline.understand.events import understand

NONE = "none"  # a text that says nothing about its language
MAIN = "main"  # a text that asks nothing


@dataclass(frozen=True)
class Example:
    lang: str
    expect: frozenset[str]
    text: str
    line: int


@dataclass
class Score:
    """Per language: first texts answered in it, and questions that reached their node."""

    first: int = 0
    first_right: int = 0
    questions: int = 0
    direct: int = 0
    listed: int = 0
    wrong: int = 0     # questions taken straight to a node that does not answer them
    greetings: int = 0
    welcomed: int = 0  # greetings answered with the main menu, not a page they did not ask for
    misses: list[str] = field(default_factory=list)

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


def read_examples(path: Path) -> list[Example]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("lang\t"):
            continue
        lang, expect, text = line.split("\t", 2)
        out.append(Example(lang, frozenset(expect.split("|")), text, number))
    return out


def where(content: Content, session: Session | None, text: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(language, node, short list) the line answers `text` with, from `session`."""
    after, reply = step(content.flow, session, understand(content, session, text))
    return reply.lang, reply.node, reply.offer


def evaluate(content: Content, examples: Iterable[Example]) -> dict[str, Score]:
    scores: dict[str, Score] = {}
    for ex in examples:
        score = scores.setdefault(ex.lang, Score())
        lang, node, offer = where(content, None, ex.text)
        score.first += 1
        if lang == (None if ex.lang == NONE else ex.lang):
            score.first_right += 1
        else:
            score.misses.append(f"line {ex.line}: first text in {lang or 'no language'}: {ex.text}")
        if ex.lang == NONE:
            continue
        if MAIN in ex.expect:
            score.greetings += 1
            if node == content.flow.start and not offer:
                score.welcomed += 1
            else:
                score.misses.append(f"line {ex.line}: a greeting reached {', '.join(offer) or node}: {ex.text}")
            continue
        score.questions += 1
        _, node, offer = where(content, Session(lang=ex.lang, node=content.flow.start), ex.text)
        if not offer and node in ex.expect:
            score.direct += 1
        elif set(offer) & ex.expect:
            score.listed += 1
        else:
            score.wrong += not offer and node != content.flow.start
            got = f"list {', '.join(offer)}" if offer else node
            score.misses.append(f"line {ex.line}: reached {got}, not {'|'.join(sorted(ex.expect))}: {ex.text}")
    return scores


def report(scores: dict[str, Score], verbose: bool = False) -> list[str]:
    """A table: per language, first texts answered in it, greetings that got the main menu,
    and questions that reached their node (directly or in a short list) and directly."""
    lines = [f"{'lang':<8} {'texts':>5} {'in its language':>15} {'greetings to menu':>17} "
             f"{'questions':>9} {'reached':>7} {'directly':>8} {'wrongly':>7}"]
    total = Score()
    for lang, s in [*scores.items(), ("all", total)]:
        if lang != "all":
            for name in ("first", "first_right", "questions", "direct", "listed", "wrong", "greetings", "welcomed"):
                setattr(total, name, getattr(total, name) + getattr(s, name))
        lines.append(f"{lang:<8} {s.first:>5} {s.language_rate:>15.0%} {s.welcome_rate:>17.0%} "
                     f"{s.questions:>9} {s.reached_rate:>7.0%} {s.direct_rate:>8.0%} {s.wrong:>7}")
        if verbose:
            lines += [f"    {m}" for m in s.misses]
    return lines



