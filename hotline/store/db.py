"""The database engine: `DATABASE_URL` as platforms give it (`postgres://...` included), else
a SQLite file in the instance folder. PostgreSQL goes through psycopg 3 (binary wheels for
every platform, the driver SQLAlchemy 2 documents first)."""
from __future__ import annotations

import os
import re
import sqlite3
import weakref
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_FILE = "hotline.sqlite3"


def database_url(url: str | None, instance: Path) -> str:
    """The SQLAlchemy URL for `DATABASE_URL` (None or empty: the instance folder's SQLite file)."""
    if not url:
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / SQLITE_FILE}"
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


def make_engine(url: str | None, instance: Path) -> Engine:
    full = database_url(url, instance)
    if full.startswith("sqlite"):
        engine = create_engine(full, connect_args={"timeout": 30})
        _queue_writers(engine)
    else:
        engine = create_engine(full, pool_pre_ping=True, pool_size=2, max_overflow=3)
    # A store opened before gunicorn forks its workers: each child opens its own connections
    # (sharing the parent's sockets would mix two processes' queries).
    alive = weakref.ref(engine)
    os.register_at_fork(after_in_child=lambda: _forget_connections(alive()))
    return engine


def _forget_connections(engine: Engine | None) -> None:
    if engine is not None:
        engine.dispose(close=False)


def _queue_writers(engine: Engine) -> None:
    """Every SQLite transaction takes the write lock at its start: two writers queue instead of
    one failing half way ("database is locked" after both read), as PostgreSQL's row locks do."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATIONS = Path(__file__).parent / "migrations"
LOCK = 1818  # PostgreSQL advisory lock: instances starting together migrate and seed one at a time


def migrate(engine: Engine) -> None:
    """Bring the schema up to date (Alembic, in one transaction). A store already at the newest
    migration is only read (one query): Alembic, a fifth of a start's imports, is not loaded."""
    if schema_version(engine) == newest_migration():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


def newest_migration() -> str:
    """The revision of the newest migration: each file in versions/ is named after its revision
    (`0001_store.py` holds revision "0001", down_revision the one before), so the highest wins."""
    return max(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))


def schema_version(engine: Engine) -> str | None:
    """The revision the database's schema is at (Alembic's own table); None before any."""
    try:
        with engine.connect() as connection:
            version = connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:  # no such table yet: an empty database
        return None
    return None if version is None else str(version)


class StartLock:
    """Held while one process migrates and seeds; a no-op on SQLite, whose transactions already queue."""

    def __init__(self, engine: Engine) -> None:
        self.connection = engine.connect() if engine.dialect.name == "postgresql" else None

    def __enter__(self) -> StartLock:
        if self.connection is not None:
            self.connection.exec_driver_sql(f"SELECT pg_advisory_lock({LOCK})")
        return self

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.exec_driver_sql(f"SELECT pg_advisory_unlock({LOCK})")
            self.connection.close()
