"""The Procfile's `web:` command, run as a platform runs it (real gunicorn processes, no
REDIS_URL): one embedded Redis shared by every worker and gone with the line, workers that
are killed coming back into the same conversations, a broken file on disk never taking the
line down, and the operator's view (/healthz, /metrics, JSON log lines)."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline import bench
from tests.conftest import ROOT
from tests.processes import (
    METRICS_TOKEN,
    NUMBERS,
    embedded_servers,
    environment,
    get,
    kill_every_worker,
    none_left,
    small_line,
    text,
)

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


@pytest.fixture
def instance(tmp_path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def running(instance, tmp_path) -> Iterator[bench.Server]:
    with bench.gunicorn("hotline:create_app()", environment(instance), tmp_path / "line.log") as server:
        yield server


def test_every_worker_shares_one_embedded_redis_and_it_stops_with_the_line(instance, tmp_path):
    with bench.gunicorn("hotline:create_app()", environment(instance, **small_line()), tmp_path / "line.log") as server:
        for number in NUMBERS:
            assert "1 Your rights" in text(server, number, "hello")
        # Second texts land on either worker: each must find its conversation.
        assert sum("1 Unpaid wages" in text(server, number, "4") for number in NUMBERS) == 20
        kill_every_worker(server)
        assert sum("every hour you work" in text(server, number, "1") for number in NUMBERS) == 20
        assert len(embedded_servers(instance)) == 1
        master = server.proc
    assert master.poll() is not None
    assert none_left(instance) == []


def test_a_broken_file_on_disk_never_takes_the_line_down(instance, tmp_path):
    flows = shutil.copytree(ROOT / "flows", tmp_path / "flows")
    env = environment(instance, HOTLINE_FLOWS=str(flows))
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "line.log") as server:
        spanish = text(server, NUMBERS[0], "hola")
        assert "Sus derechos" in spanish
        (flows / "main.yaml").write_text("nodes:\n  main: [half saved")  # a staff member's half-saved edit
        time.sleep(0.5)
        assert text(server, NUMBERS[0], "0") == spanish
        kill_every_worker(server)
        assert server.proc.poll() is None  # the master stays up
        assert text(server, NUMBERS[0], "0") == spanish
        assert text(server, NUMBERS[1], "hola") == spanish
    log = (tmp_path / "line.log").read_text()
    assert "Worker failed to boot" not in log
    # A restart of the whole line (a deploy) boots from the last good version too.
    with bench.gunicorn("hotline:create_app()", env, tmp_path / "again.log") as server:
        assert text(server, NUMBERS[2], "hola") == spanish
    # With no good version anywhere, it refuses to start, and says why in one message.
    fresh = subprocess.run(bench.procfile_argv("hotline:create_app()", bench.free_port(),
                                               environment(tmp_path / "new-instance", HOTLINE_FLOWS=str(flows))),
                           cwd=ROOT, env=environment(tmp_path / "new-instance", HOTLINE_FLOWS=str(flows)),
                           capture_output=True, text=True, timeout=60)
    assert fresh.returncode != 0
    assert "The line cannot start" in fresh.stderr and "hotline check" in fresh.stderr
    assert "Traceback" not in fresh.stderr


def test_operators_see_json_logs_metrics_and_health(running, tmp_path):
    for number in NUMBERS[:5]:
        text(running, number, "hello")
        text(running, number, "3")
    status, body = get(running, "/metrics", METRICS_TOKEN)
    assert status == 200
    from prometheus_client.parser import text_string_to_metric_families

    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    answered = [s for s in families["hotline_requests"].samples
                if s.name == "hotline_requests_total" and s.labels == {"channel": "sms", "outcome": "answered"}]
    assert answered and answered[0].value == 10  # both workers' counts, added up
    offered = {s.labels["language"]: s.value for s in families["hotline_language_offered"].samples}
    assert offered["es"] == 1 and len(offered) == 12
    for number in NUMBERS[:5]:
        assert number[2:].encode() not in body
    assert b"SM" + b"e5" * 16 not in body and b"hello" not in body
    assert get(running, "/metrics")[0] == 401
    assert get(running, "/metrics", "wrong")[0] == 401
    health = json.loads(get(running, "/healthz")[1])
    assert health["status"] == "ok" and len(health["languages"]) == 12

    lines = [json.loads(x) for x in (tmp_path / "line.log").read_text().splitlines() if x.strip()]
    assert all({"time", "level", "message"} <= entry.keys() for entry in lines)
    serving = [e for e in lines if e["message"].startswith("now serving")]
    assert serving and serving[0]["level"] == "INFO" and "es" in serving[0]["message"]
    assert not any(n[2:] in e["message"] for e in lines for n in NUMBERS)
