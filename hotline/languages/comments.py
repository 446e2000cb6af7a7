"""The notes a catalog entry carries in its translator comments, written and read here
only: a machine draft's mark (so a draft is never served as a translation), a machine draft
kept beside a person's earlier translation, and a fluent speaker's review."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from babel.messages.catalog import Message

# A machine draft's translator comment (`hotline i18n draft`), as the two lines Babel would
# wrap it into anyway (Babel wraps comments at 76 columns and reads each line back as its
# own comment, so writing it pre-split keeps the catalog in memory identical to the file).
DRAFT_COMMENT_PREFIX = "machine draft (Argos Translate"
DRAFT_COMMENT_REVIEW = "needs review by a fluent speaker"
BESIDE_PREFIX = "machine draft of the new English"


def is_machine_draft(message: Message) -> bool:
    """True if ``message`` carries the machine-draft comment (review still pending)."""
    return any(c.startswith(DRAFT_COMMENT_PREFIX) for c in message.user_comments)


def mark_drafted(message: Message, label: str) -> None:
    """Mark ``message``'s string as the machine draft of package ``label`` (replacing an
    earlier mark, keeping every other comment)."""
    message.user_comments = [c for c in message.user_comments
                             if not c.startswith(DRAFT_COMMENT_PREFIX) and c != DRAFT_COMMENT_REVIEW]
    message.user_comments += [f"{DRAFT_COMMENT_PREFIX} {label}),", DRAFT_COMMENT_REVIEW]


def put_beside(message: Message, label: str, drafts: Sequence[str]) -> None:
    """Keep the machine drafts of this very English beside a person's earlier translation
    (replacing an earlier one)."""
    message.user_comments = _without_beside(message.user_comments) + [
        f"{BESIDE_PREFIX} ({_digest(message)}, {label}): {' | '.join(drafts)}"]


def drafted_beside(message: Message) -> bool:
    """Already has a draft of this very English beside its translation."""
    mark = f"{BESIDE_PREFIX} ({_digest(message)},"
    return any(c.startswith(mark) for c in message.user_comments)


def beside_draft(message: Message) -> str:
    """The machine draft of this very English kept beside a person's earlier translation
    ('' when there is none): Babel splits the comment in lines, joined here with spaces."""
    mark = f"{BESIDE_PREFIX} ({_digest(message)},"
    parts: list[str] = []
    for c in message.user_comments:
        if parts and c.startswith(("|", REVIEWED, DRAFT_COMMENT_PREFIX, BESIDE_PREFIX)):
            break
        if parts or c.startswith(mark):
            parts.append(c)
    return " ".join(parts).partition("): ")[2]


def without_drafts(comments: list[str]) -> list[str]:
    """The comments without any machine-draft note: a person's translation replaced the draft."""
    return [c for c in _without_beside(comments) if not c.startswith(DRAFT_COMMENT_PREFIX) and c != DRAFT_COMMENT_REVIEW]


def _without_beside(comments: list[str]) -> list[str]:
    """The comments without an earlier draft-beside (Babel splits a long comment in lines)."""
    kept, inside = [], False
    for c in comments:
        if c.startswith(BESIDE_PREFIX):
            inside = True
            continue
        if inside and not c.startswith(("|", REVIEWED, DRAFT_COMMENT_PREFIX)):
            continue
        inside = False
        kept.append(c)
    return kept


def _digest(message: Message) -> str:
    """Which English a draft beside was made from (Babel types an id as a string or a tuple of forms)."""
    english = message.id if isinstance(message.id, str) else message.id[0]
    return hashlib.sha256(str(english).encode()).hexdigest()[:8]


# Per-string review: a translator comment that names who and when, and a digest of the
# English and the translation it approved; an edit of either voids it.
#   # Reviewed: Ana Example, 2026-12-01, 1f0c9a2b
REVIEWED = "Reviewed:"


@dataclass(frozen=True)
class Review:
    by: str
    on: str


def review_digest(english: str, translation: str) -> str:
    return hashlib.sha256(f"{english}\0{translation}".encode()).hexdigest()[:8]


def review_comment(review: Review, english: str, translation: str) -> str:
    return f"{REVIEWED} {review.by}, {review.on}, {review_digest(english, translation)}"


def review_of(comments: Iterable[str], english: str, translation: str) -> tuple[Review | None, bool]:
    """(the review that still holds, whether one was voided by an edit)."""
    voided = False
    for comment in comments:
        if not comment.startswith(REVIEWED):
            continue
        by, _, rest = comment[len(REVIEWED):].strip().rpartition(",")
        who, _, on = by.rpartition(",")
        if rest.strip() == review_digest(english, translation) and translation:
            return Review(who.strip(), on.strip()), False
        voided = True
    return None, voided
