"""A Sentinel failover for real: a master, a replica and a Sentinel (real redis-server
processes); the master is killed in the middle of conversations. The line must answer
every text throughout, find the promoted replica by itself, and keep the sessions written
after the failover."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from hotline import bench
from tests.conftest import Texter, Twilio
from tests.processes import RedisServer, sentinel, wait_for

pytestmark = pytest.mark.system  # real processes: left out of the quick loop

RESIDENTS = [f"+1773555{n:04d}" for n in range(4100, 4110)]


@pytest.fixture
def sentinel_set(tmp_path: Path) -> Iterator[tuple[RedisServer, RedisServer, int]]:
    """A master, its replica, and a Sentinel that knows both (its port)."""
    master, replica = RedisServer(bench.free_port()), RedisServer(bench.free_port())
    try:
        master.start()
        replica.start()
        replica.client().replicaof("127.0.0.1", master.port)
        wait_for("the replica to sync", lambda: replica.client().info("replication")["master_link_status"] == "up")
        with sentinel(tmp_path, master, "sentinel down-after-milliseconds hotline 1000",
                      "sentinel failover-timeout hotline 10000") as port:
            probe = redis.Redis(host="127.0.0.1", port=port)
            wait_for("the Sentinel to see the replica",
                     lambda: bool(probe.execute_command("SENTINEL", "replicas", "hotline")))
            yield master, replica, port
    finally:
        master.kill()
        replica.kill()


def test_the_line_answers_through_a_failover_and_keeps_sessions_after_it(make_app, sentinel_set):
    master, replica, port = sentinel_set
    app = make_app(REDIS_URL=f"redis+sentinel://127.0.0.1:{port}/hotline/0", REDIS_TIMEOUT=0.5,
                   REDIS_RETRY_AFTER=0.5)
    twilio = Twilio(app.test_client())
    residents = [Texter(twilio, number=n) for n in RESIDENTS]
    for r in residents:
        r.text("hello")
        assert "1 Unpaid wages" in r.text("4")

    master.kill()
    killed = time.monotonic()
    answers, gap_end = 0, None
    while time.monotonic() - killed < 40 and gap_end is None:
        for r in residents:
            reply = r.text("*")
            assert reply.strip(), "a text got no answer during the failover"
            answers += 1
        # A fresh conversation started now is kept only once Redis takes writes again.
        probe = Texter(twilio, number="+17735559999")
        probe.text("hola")
        if "Derechos en el trabajo" in probe.text("*"):
            gap_end = time.monotonic()
        time.sleep(0.1)
    assert gap_end is not None, "the line never found the promoted replica"
    gap = gap_end - killed
    print(f"\nfailover: {answers} texts answered; sessions lost for {gap:.1f} s")  # for the README
    assert replica.client().info("replication")["role"] == "master"

    # Conversations started after the failover are kept on the new master.
    for r in residents:
        r.text("hello")
        assert "1 Unpaid wages" in r.text("4")
        assert "every hour you work" in r.text("1")
