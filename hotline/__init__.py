"""hotline: a multilingual SMS and voice information line."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The app factory (`hotline.web.app.create_app`), imported when called, so that importing a
    part of the package (the gunicorn settings, a command) does not load the whole app."""
    from hotline.web.app import create_app as make

    return make(config)


__all__ = ["create_app"]
