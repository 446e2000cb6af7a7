"""`hotline bench`, briefly (one second per app): both apps start as the Procfile runs them, residents
text and call them with real signatures, a publish reaches every worker of a fresh instance,
the report has every field, nothing fails and nothing is left running. No assertion on
speed: reporting speed is the bench's own job."""
from __future__ import annotations

import json

import psutil
import pytest
from click.testing import CliRunner

from hotline import bench
from hotline.cli import main

APP_FIELDS = {
    "requests", "seconds", "requests_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "error_kinds",
    "by_channel", "conversations", "redis", "workers", "rss_mb_per_worker", "rss_mb_avg", "rss_mb_sum",
    "startup_s", "startup_cpu_s", "cpu_cores", "worker_cpu_ms_per_request", "generator_us_per_request",
}
REDIS_FIELDS = {"commands", "round_trips", "by_command"}


@pytest.fixture(scope="module")
def ran() -> tuple[dict, set[int]]:
    """One short bench for the module: its report, and the processes it left running."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("REDIS_URL", raising=False)  # the bench starts, and must stop, its own Redis
        before = {p.pid for p in psutil.Process().children(recursive=True)}
        result = CliRunner().invoke(main, ["bench", "--seconds", "1", "--concurrency", "2", "--json"])
    assert result.exit_code == 0, result.output
    left = {p.pid for p in psutil.Process().children(recursive=True) if p.is_running()} - before
    return json.loads(result.output), left


@pytest.mark.system
def test_bench_runs_both_apps_and_cleans_up(ran) -> None:
    report, left = ran

    assert {"machine", "settings", "load_content_s", "line", "ceiling", "goals"} <= report.keys()
    for name in ("line", "ceiling"):
        app = report[name]
        assert APP_FIELDS <= app.keys(), name
        assert app["errors"] == 0, app["error_kinds"]
        assert app["by_channel"]["sms"] > 0 and app["by_channel"]["voice"] > 0, name
        assert set(app["redis"]) == {"mixed", "sms", "voice"}
        assert all(REDIS_FIELDS <= v.keys() for v in app["redis"].values())
        assert set(app["cpu_cores"]) == {"load_generator", "workers", "redis", "other"}
        assert app["workers"] >= 1 and app["startup_s"] > 0
    assert {g["name"] for g in report["goals"]} == {name for name, _op, _target in bench.GOALS}
    # One instance, as billed: master, two workers and the embedded Redis, each with its share.
    assert report["instance"]["processes"] == 4 and report["instance"]["workers"] == 2
    assert 0 < report["instance"]["master_pss_mb"] < report["instance"]["instance_pss_mb"]
    assert "throughput_ratio" in bench.render(report)
    assert not left, "the bench left processes running"


@pytest.mark.system
def test_the_report_gives_the_seconds_from_publish_to_served_on_every_worker(ran) -> None:
    report, _left = ran
    served = report["publish_to_served"]
    assert len(served["workers"]) == report["instance"]["workers"] == 2  # one figure per worker process
    assert all(pid.isdigit() for pid in served["workers"])
    assert all(isinstance(s, float | int) and 0 < s < bench.publish.LIMIT for s in served["workers"].values())
    assert served["seconds"] == max(served["workers"].values()) and served["publish_s"] > 0
    text = bench.render(report)
    assert f"publish to served: {served['seconds']} s (" in text
    assert all(f"worker {pid}: {s} s" in text for pid, s in served["workers"].items())
    goal = next(g for g in report["goals"] if g["name"] == "publish_to_served_s")
    assert goal["value"] == served["seconds"] and goal["goal"] == "<= 2"


def test_servers_listen_on_loopback_only() -> None:
    argv = bench.procfile_argv("some.module:app", 8123, {})
    assert "127.0.0.1:8123" in argv and "0.0.0.0" not in " ".join(argv)
    assert argv[-1] == "some.module:app"


def test_refuses_a_redis_elsewhere(monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", "rediss://redis.example.org:6380/0")
    with pytest.raises(bench.BenchError):
        bench.run(seconds=1, concurrency=1)
