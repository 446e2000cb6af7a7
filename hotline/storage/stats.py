"""Counts for staff, with nothing identifying: per day, channel, language and node, how many
conversations reached it and how many left the line there.

Stored as Redis hashes `hl:c:<day>` with fields `<what>|<channel>|<lang>|<node>`; each
conversation's move adds 1 to `reached` for the new node, and moves its one `left` mark
from the old node to the new one, so at any time `left` counts conversations whose last
step was that node. Hashes expire after `KEEP_DAYS`.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

import redis

from hotline.engine import Session

PREFIX = "hl:c:"
KEEP_DAYS = 90
REACHED, LEFT, WORDS = "reached", "left", "words"  # words: reached by a resident's own words
SMALL = 5  # counts under this are shown as "<5" in exports, so no one can be singled out


def day_key(day: dt.date) -> str:
    return f"{PREFIX}{day.isoformat()}"


def transition(channel: str, old: Session | None, new: Session | None) -> list[tuple[str, int, bool]]:
    """The counter changes one step makes: [(field, delta, concerns the old node), ...]; the
    old node's change belongs to the day its mark was added."""
    def where(s: Session | None) -> str | None:
        return None if s is None or s.choosing_language else f"{channel}|{s.lang}|{s.node}"

    before, after = where(old), where(new)
    if after is None or after == before:
        return []
    changes = [(f"{REACHED}|{after}", 1, False), (f"{LEFT}|{after}", 1, False)]
    if new is not None and new.by_words:
        changes.append((f"{WORDS}|{after}", 1, False))
    if before is not None:
        changes.append((f"{LEFT}|{before}", -1, True))
    return changes


@dataclass(frozen=True)
class Row:
    day: str
    channel: str
    lang: str
    node: str
    reached: int
    left: int
    by_words: int = 0  # of `reached`: by the resident's own words, not a number or a label


def read(client: redis.Redis, days: Iterable[dt.date]) -> list[Row]:
    """Rows for these days, sorted by day, channel, language, node."""
    days = list(days)
    pipe = client.pipeline(transaction=False)
    for day in days:
        pipe.hgetall(day_key(day))
    rows = []
    for day, fields in zip(days, pipe.execute(), strict=True):
        table: dict[tuple[str, str, str], dict[str, int]] = {}
        for name, value in fields.items():
            what, channel, lang, node = name.decode().split("|", 3)
            table.setdefault((channel, lang, node), {})[what] = int(value)
        for (channel, lang, node), counts in table.items():
            rows.append(Row(day.isoformat(), channel, lang, node, counts.get(REACHED, 0),
                            max(counts.get(LEFT, 0), 0), counts.get(WORDS, 0)))
    return sorted(rows, key=lambda r: (r.day, r.channel, r.lang, r.node))


def conversations(rows: Iterable[Row], channels: Iterable[str]) -> dict[str, int]:
    """Conversations per channel, each of `channels` listed even at 0: every conversation
    holds one `left` mark, at its last step, so the marks add up to the conversations."""
    totals = dict.fromkeys(channels, 0)
    for row in rows:
        totals[row.channel] = totals.get(row.channel, 0) + row.left
    return totals


def shown(count: int) -> str:
    return f"<{SMALL}" if 0 < count < SMALL else str(count)


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["day", "channel", "language", "node", "reached", "left", "by words"])
    for r in rows:
        writer.writerow([r.day, r.channel, r.lang, r.node, shown(r.reached), shown(r.left), shown(r.by_words)])
    return out.getvalue()
