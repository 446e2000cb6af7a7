"""The embedded Redis supervised (the Procfile's line, no REDIS_URL): killed on its own, it
is started again by the gunicorn master within seconds, sessions work again, the log and
/healthz say they were lost once; and it still never outlives the line."""
from __future__ import annotations

import json
import os
import signal
import time

import pytest

from hotline import bench
from tests.processes import NUMBERS, embedded_servers, environment, get, none_left, small_line, text

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


def test_the_embedded_redis_killed_alone_is_started_again_and_sessions_work_within_ten_seconds(tmp_path):
    instance = tmp_path / "instance"
    with bench.gunicorn("hotline:create_app()", environment(instance, **small_line()), tmp_path / "line.log") as server:
        assert "1 Unpaid wages" in (text(server, NUMBERS[0], "hello") and text(server, NUMBERS[0], "4"))
        assert json.loads(get(server, "/healthz")[1])["sessions_lost_at"] is None
        [first] = embedded_servers(instance)
        first.kill()
        killed = time.monotonic()
        for number in NUMBERS[1:]:  # each a new conversation: it goes on once sessions are kept again
            assert "1 Your rights" in text(server, number, "hello")
            if "1 Unpaid wages" in text(server, number, "4"):
                break
            time.sleep(0.2)
        back = time.monotonic() - killed
        assert back < 10, back
        health = json.loads(get(server, "/healthz")[1])
        assert health["status"] == "ok" and health["sessions_lost_at"]
        [second] = embedded_servers(instance)
        assert second.pid != first.pid and second.ppid() == server.proc.pid
        os.kill(server.proc.pid, signal.SIGKILL)  # the line dies without a word: its Redis goes too
        assert none_left(instance) == []
    log = (tmp_path / "line.log").read_text()
    assert "the embedded Redis stopped" in log and "conversations under way are lost" in log
    assert "the embedded Redis answers again" in log
