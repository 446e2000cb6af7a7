"""hotline: a multilingual SMS and voice information line."""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The whole line: the content store (with `CONTENT=store`, the default: the revision
    published in the database is what every process serves), the web edge
    (`hotline.web.app`) and the staff pages (`hotline.staff.pages`). The web edge itself
    imports neither. Imported when called, so that importing a part of the package (the
    gunicorn settings, a command) does not load the whole app."""
    from hotline.staff import pages
    from hotline.web.app import create_app as make

    config, store = _with_store(config)
    app = make(config)
    line = app.extensions["hotline"]
    if store is not None:
        app.extensions["hotline_store"] = store
    pages.init(app, line.store.client, line.secret)
    _nest_staff_pages()
    app.register_blueprint(pages.blueprint)
    return app


@cache
def _nest_staff_pages() -> None:
    """The staff pages' parts by job, nested in the staff blueprint so its guard applies to
    them; once per process (a blueprint is set up before its first registration)."""
    from hotline.staff import pages
    from hotline.staff.translating import pages as translating

    pages.blueprint.register_blueprint(translating.blueprint)


def _with_store(config: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Any]:
    """Open the content store (migrated; the shipped folders become revision 1 on an empty
    store, or a draft when this release changed them) and serve its published revision,
    unless a source is given or the folders are served as they are."""
    from pathlib import Path

    from hotline import config as settings

    cfg = settings.read(config)
    if cfg.get("CONTENT_SOURCE") is not None or cfg["CONTENT"] == "files":
        return config, None
    if cfg["CONTENT"] != "store":
        raise SystemExit(f"HOTLINE_CONTENT is {cfg['CONTENT']!r}: it must be 'store' or 'files'.")
    from hotline.content.files import files_from_dirs
    from hotline.store.source import DatabaseSource
    from hotline.store.store import open_store

    shipped = files_from_dirs(Path(cfg["FLOWS"]), Path(cfg["TRANSLATIONS"]))
    store = open_store(cfg["DATABASE_URL"], Path(cfg["INSTANCE"]), shipped, cfg)
    return {**(config or {}), "CONTENT_SOURCE": DatabaseSource(store)}, store


__all__ = ["create_app"]
