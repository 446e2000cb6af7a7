"""What the line would pick for a text, and why: `hotline understand --lang es "..."`."""
from __future__ import annotations

from hotline.content import Content
from hotline.engine import Session, step
from hotline.understand.embedding import similarity
from hotline.understand.events import CLOSE, DIRECT, LISTED, MEANING, asked, rank, understand
from hotline.understand.language import identify
from hotline.understand.safety import urgent_named


def explain(content: Content, text: str, lang: str | None = None, at: str | None = None) -> list[str]:
    """Lines for staff: the language evidence, the best nodes with their scores, the event
    and where the resident lands. `lang` None: as a first text; else at node `at` (default
    the main menu) in that language."""
    guess = identify(content, text)
    evidence = ", ".join(f"{t} {s:.2f}" for t, s in sorted(guess.scores.items(), key=lambda x: -x[1])[:4])
    lines = [f"language: {guess.lang or 'none (the language list)'}  [line's words + CLD2: {evidence or '-'}; "
             f"CLD2 said: {guess.detector or 'nothing'}]"]
    search_in = lang or guess.lang
    if search_in:
        hits = rank(content, search_in, asked(content, search_in, text))[:5]
        lines.append(f"best nodes in {search_in} (direct at {DIRECT}, listed at {LISTED}, "
                     f"runners-up within {CLOSE:.0%}):")
        lines += [f"  {h.score:.2f}  {h.node}" for h in hits] or ["  (none: no word of the text is in what the line says)"]
        near = similarity(content, search_in, text)
        if near is not None:  # what the model adds where BM25 is not decisive (events.py)
            nearest = sorted(near.items(), key=lambda nz: -nz[1])[:5]
            lines.append(f"nearest pages by meaning (z-score; x {MEANING} added to the share where BM25 is not decisive):")
            lines += [f"  {z:.2f}  {node}" for node, z in nearest]
        named = urgent_named(content, search_in, text)
        if named:
            lines.append(f"urgent: the text holds a phrase of {', '.join(named)} (safety.py: it is answered with it)")
    session = Session(lang=lang, node=at or content.flow.start) if lang else None
    event = understand(content, session, text)
    after, reply = step(content.flow, session, event)
    where = f"list {', '.join(reply.offer)}" if reply.offer else reply.node or "the language list"
    lines.append(f"event: {event}")
    lines.append(f"answer: {where}, in {reply.lang or 'English (the language list)'}"
                 + (f" (notice: {reply.notice})" if reply.notice else ""))
    return lines
