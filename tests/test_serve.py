"""The README's first command, `hotline serve --dev`, as a real process: the line on the
embedded defaults (Werkzeug's server, the embedded Redis) answers texts at once and in
conversation, and leaves nothing running when it stops."""
from __future__ import annotations

import os
import time

import pytest

from tests.processes import dev_text as text, none_left, serve_dev

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


def test_hotline_serve_dev_answers_texts_in_conversation(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("HOTLINE_")}
    env["HOTLINE_INSTANCE"] = str(instance)
    with serve_dev(env) as port:
        started = time.monotonic()
        assert "1 Sus derechos en Chicago" in text(port, "hola")
        assert "Los agentes pueden ser de ICE o de la Patrulla Fronteriza" in text(port, "3")
        assert time.monotonic() - started < 5  # no read waits on the client to hang up
    assert none_left(instance) == []
