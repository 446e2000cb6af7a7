"""The content store: revisions, drafts, staff accounts and the audit log in one SQL database
(PostgreSQL through DATABASE_URL for several instances; SQLite in the instance folder when it
is unset). Staff tools and the CLI act through `Store`; the line serves the published revision
through `DatabaseSource`, polled in the background, never from a resident's request."""
from __future__ import annotations

from hotline.store.store import Refused, Store, open_store

__all__ = ["Refused", "Store", "open_store"]
