"""What staff use to change and watch what the line says: `pages` (the staff pages), `preview`
(a draft beside what residents get), `graph` (the flow as a picture), `throttle` (the
sign-in's limits), `editing` (changing content into one's draft), `reviewing` (review,
proofing, publish, history), `versions` (the store's versions as they load). The check they run (`hotline check`, the Problems page) is
`hotline.check`, the line's own serving gate."""
from __future__ import annotations

import functools

from flask import Blueprint


@functools.cache
def register(parent: Blueprint) -> None:
    """Nest each job's pages in the staff blueprint (so its sign-in guard applies), once: the
    blueprints are module-level and every app made in one process shares them."""
    from hotline.staff import editing, reviewing

    for child in (editing.blueprint, reviewing.blueprint):
        parent.register_blueprint(child)
