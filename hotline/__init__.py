"""hotline: a multilingual SMS and voice information line."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The whole line: the web edge (`hotline.web.app`) with the staff pages
    (`hotline.staff.pages`) added; the web edge itself imports no staff code. Imported when
    called, so that importing a part of the package (the gunicorn settings, a command) does
    not load the whole app."""
    from hotline.staff import pages
    from hotline.web.app import create_app as make

    app = make(config)
    line = app.extensions["hotline"]
    pages.init(app, line.store.client, line.secret)
    app.register_blueprint(pages.blueprint)
    return app


__all__ = ["create_app"]
