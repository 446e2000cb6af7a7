"""The published revision as a content source for the line (polled in the background by the
serving side; never from a resident's request)."""
from __future__ import annotations

from collections.abc import Mapping

from hotline.store.store import Store


class DatabaseSource:
    def __init__(self, store: Store) -> None:
        self.store = store

    def current(self) -> str | None:
        """The published revision's number (one query by primary key); None before any."""
        number = self.store.published_number()
        return None if number is None else str(number)

    def files(self, version: str) -> Mapping[str, bytes]:
        return self.store.files(int(version))
