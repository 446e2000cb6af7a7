"""The store on real databases: a SQLite file, and a fresh PostgreSQL database at 127.0.0.1:5432
(skipped, saying why, when none answers), with a small fixture flow as the shipped content."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from hotline import config
from hotline.store import Store, open_store
from hotline.store.files import files_from_dirs

SMALL = Path(__file__).parent / "data" / "small"
POSTGRES = "postgres://postgres@127.0.0.1:5432/{}"


def shipped() -> dict[str, bytes]:
    return files_from_dirs(SMALL / "flows", SMALL / "translations")


def postgres_database() -> tuple[str, object]:
    """A new empty database (its URL) and how to drop it; skips when PostgreSQL does not answer."""
    psycopg = pytest.importorskip("psycopg")
    name = f"hotline_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True,
                                connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 ({exc})")
    admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    return POSTGRES.format(name), drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.system)])
def database(request, tmp_path) -> str | None:
    """DATABASE_URL for one test: None (SQLite in the instance folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    url, drop = postgres_database()
    yield url
    drop()  # type: ignore[operator]


@pytest.fixture
def make_store(database, tmp_path):
    opened: list[Store] = []

    def make(files: dict[str, bytes] | None = None) -> Store:
        store = open_store(database, tmp_path / "instance", shipped() if files is None else files, config.read())
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.engine.dispose()
