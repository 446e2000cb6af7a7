"""The counts page's figures: conversations per node over the last DAYS days, small counts
shown as "<5" (`hotline.storage.stats`), drawn as bars."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import redis

from hotline.flow.model import Flow
from hotline.storage import stats

DAYS = 14                # the counts shown
BAR = 260                # pixels of the longest bar in the counts chart (360 wide)


@dataclass(frozen=True)
class Bar:
    """One node's counts, as shown: small counts as "<5", drawn as long as 5."""

    node: str
    title: str
    reached: str
    left: str
    reached_width: int
    left_width: int


def chart(flow: Flow, rows: list[stats.Row]) -> list[Bar]:
    """Totals per node over the rows, in the flow's order (nodes since removed last)."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        total = totals.setdefault(row.node, [0, 0])
        total[0] += row.reached
        total[1] += row.left
    top = max([stats.SMALL, *(n for total in totals.values() for n in total)])

    def width(count: int) -> int:
        return round(BAR * max(count, stats.SMALL) / top) if count else 0

    order = [*flow.nodes, *sorted(set(totals) - set(flow.nodes))]
    return [Bar(n, flow.nodes[n].title if n in flow.nodes else n, stats.shown(totals[n][0]),
                stats.shown(totals[n][1]), width(totals[n][0]), width(totals[n][1]))
            for n in order if n in totals]


def rows(client: redis.Redis, channel: str, lang: str) -> list[stats.Row]:
    """The last DAYS days' rows for a channel and a language ("": all); raises
    `redis.RedisError` when Redis is away."""
    today = dt.datetime.now(dt.UTC).date()
    found = stats.read(client, (today - dt.timedelta(days=n) for n in range(DAYS - 1, -1, -1)))
    return [r for r in found if channel in ("", r.channel) and lang in ("", r.lang)]
