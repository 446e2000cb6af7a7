"""The audit log: who did what, when and why; staff only, never a resident.

Each entry's hash covers its sequence number, its fields and the hash of the entry before it;
the `published` row keeps the last sequence number and hash. `verify` therefore finds an entry
edited (its hash no longer matches), removed from the middle (a gap in the numbers, or the next
entry's prev_hash), or removed from the end (the head names an entry that is gone). Someone who
can write the database can still rewrite the whole chain and the head together: keep the hash
`hotline audit verify` prints somewhere else to catch that."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.store.models import AuditEntry, Published


def entry_hash(seq: int, at: str, actor: str, action: str, target: str, reason: str, details: str,
               prev_hash: str) -> str:
    fields = [seq, at, actor, action, target, reason, details, prev_hash]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def append(session: Session, actor: str, action: str, target: str = "", reason: str = "",
           details: dict[str, Any] | None = None) -> AuditEntry:
    """Add an entry in the caller's transaction (the head row is locked: entries get one order)."""
    head = session.get(Published, 1, with_for_update=True)
    assert head is not None, "the store is migrated before use"
    seq, at = head.audit_seq + 1, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    entry = AuditEntry(seq=seq, at=at, actor=actor, action=action, target=target, reason=reason, details=text,
                       prev_hash=head.audit_hash)
    entry.hash = entry_hash(seq, at, actor, action, target, reason, text, head.audit_hash)
    session.add(entry)
    head.audit_seq, head.audit_hash = seq, entry.hash
    return entry


def verify(session: Session) -> tuple[list[str], str]:
    """(What is wrong with the chain, the head hash). No problems: every entry is as written."""
    problems = []
    previous, expected = "", 1
    for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.seq != expected:
            problems.append(f"entries {expected} to {entry.seq - 1} are missing")
        if entry.prev_hash != previous:
            problems.append(f"entry {entry.seq} does not follow the entry before it")
        if entry.hash != entry_hash(entry.seq, entry.at, entry.actor, entry.action, entry.target, entry.reason,
                                    entry.details, entry.prev_hash):
            problems.append(f"entry {entry.seq} was changed after it was written")
        previous, expected = entry.hash, entry.seq + 1
    head = session.get(Published, 1)
    if head is not None and (head.audit_seq != expected - 1 or head.audit_hash != previous):
        problems.append(f"the log ends at entry {expected - 1} but {head.audit_seq} were written: "
                        "entries were removed from its end")
    return problems, previous


COLUMNS = ("seq", "at", "actor", "action", "target", "reason", "details", "hash")


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The log for a spreadsheet, one row per entry."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([getattr(e, c) for c in COLUMNS] for e in entries)
    return out.getvalue()
