"""Facts due for a re-check, for the staff home page: the pages and services whose `recheck`
date has passed or comes within `SOON` days, with their sources. Read from the published
flow files themselves (the flow model does not carry `recheck`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app

from hotline.staff import versions
from hotline.store import rules
from hotline.store.flowedit import SERVICES

SOON = 30  # days


@dataclass(frozen=True)
class Due:
    key: str
    title: str
    service: bool
    recheck: date
    source: str
    overdue: bool


def _flow_files() -> dict[str, bytes]:
    if versions.store() is not None:
        return {p: d for p, d in versions.live_files().items() if p.startswith("flows/") and p.count("/") == 1}
    folder = Path(current_app.config["FLOWS"])
    return {f"flows/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.yaml"))}


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def due(today: date | None = None) -> list[Due]:
    """Soonest first."""
    today = today or date.today()
    out = []
    for path, data in _flow_files().items():
        service = path == SERVICES
        for key, entry in rules.entries(path, data).items():
            when = _day(entry.get("recheck")) if isinstance(entry, dict) else None
            if when is not None and when <= today + timedelta(days=SOON):
                out.append(Due(key, str(entry.get("name" if service else "title") or key), service, when,
                               str(entry.get("source") or ""), when < today))
    return sorted(out, key=lambda d: d.recheck)
