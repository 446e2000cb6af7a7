"""What staff use to change and watch what the line says, in the browser: `shared` (the staff
blueprint at /staff, its guard, sign-in cookie, CSRF token), and one blueprint per job, nested
in it by `register`. Beside them: `preview` (a draft beside what residents get), `graph` (the
flow as a picture), `versions` (the store's versions as the pages load them). The sign-in's limits are the web edge's throttle (`hotline.web.throttle`).
The check they run (the Problems page) is `hotline.check`, the line's own serving gate."""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Blueprint

JOBS = (  # hotline.staff.<job>, each a package with `blueprint` and its templates
    "signing",    # sign in and out, the welcome link, one's own account
    "looking",    # home (try the line), a node in every language, flow picture, counts, problems
    "accounts",   # admins: staff accounts, roles, languages
    "audit",      # admins: the audit log
    "editing",    # editors and publishers: pages, menus and services into one's draft
    "reviewing",  # review, proofing in every language and channel, publish, history and restore
    "translating",  # translators: each language's queue, editing in place, glossary, review by a second speaker
)


def register(parent: Blueprint) -> None:
    """Nest every job's blueprint in the staff blueprint, so that its guard stands before all."""
    for job in JOBS:
        parent.register_blueprint(importlib.import_module(f"hotline.staff.{job}").blueprint)
