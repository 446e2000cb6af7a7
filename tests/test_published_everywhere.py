"""Issue 18's "done when": two instances started from the Procfile's `web:` command (real
gunicorn processes) on one PostgreSQL database and one Redis. An editor's import, a
publisher's approval and a publish (the CLI, with --by) make both answer a signed text with
the new words within 2 seconds; a restore does the same; the author's own approval and a
translator's publish of English are refused. The same on the embedded defaults (SQLite,
embedded Redis, the README's start command), where the revisions survive a restart."""
from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hotline import bench
from hotline.store.files import write_files
from tests import store_fixtures as fx
from tests.processes import dev_text, environment, serve_dev, text

pytestmark = pytest.mark.system  # real processes: left out of the quick loop

OLD, NEW = "Information for testing.", "Information for residents of Chicago."
SERVED_WITHIN = 2.0  # seconds from a publish to every instance serving it
NUMBERS = (f"+1312555{n:04d}" for n in itertools.count(4000))


@pytest.fixture
def shared(tmp_path, embedded_redis):
    """One PostgreSQL database and one Redis for both instances, and the settings both read."""
    url, drop = fx.postgres_database()
    redis_url = os.environ.get("REDIS_URL") or embedded_redis
    settings = {"DATABASE_URL": url, "REDIS_URL": redis_url, "HOTLINE_FLOWS": str(fx.SMALL / "flows"),
                "HOTLINE_TRANSLATIONS": str(fx.SMALL / "translations")}
    yield settings
    drop()  # type: ignore[operator]


@pytest.fixture
def instances(shared, tmp_path):
    with bench.gunicorn("hotline:create_app()", {**environment(tmp_path / "a"), **shared}, tmp_path / "a.log") as a, \
            bench.gunicorn("hotline:create_app()", {**environment(tmp_path / "b"), **shared},
                           tmp_path / "b.log") as b:
        yield a, b


def hotline(shared: dict[str, str], tmp_path: Path, *args: str, ok: bool = True, stdin: str = "") -> str:
    env = {**environment(tmp_path / "cli"), **shared}
    command = [str(Path(sys.executable).with_name("hotline")), *args]  # the installed command, as operators run it
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=60)
    assert (done.returncode == 0) == ok, done.stdout + done.stderr
    return (done.stdout if ok else done.stderr).strip()


def served_everywhere(servers, words: str) -> float:
    """Seconds until every instance answers a new conversation with `words` (fails after the limit)."""
    started = time.monotonic()
    waiting = list(servers)
    while waiting:
        waiting = [s for s in waiting if words not in text(s, next(NUMBERS), "hello")]
        if waiting and time.monotonic() - started > SERVED_WITHIN:
            raise AssertionError(f"not served within {SERVED_WITHIN} s by {len(waiting)} instance(s)")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.mark.redis_server  # on the REDIS_URL server when set: run in the one process that flushes it
def test_a_publish_and_a_restore_reach_every_instance_within_two_seconds(instances, shared, tmp_path):
    for email, role, extra in (("ed@line.org", "editor", []), ("pat@line.org", "publisher", []),
                               ("quinn@line.org", "publisher", []), ("tomas@line.org", "translator", ["--lang", "es"])):
        hotline(shared, tmp_path, "staff", "add", email, "--name", email[:3], "--role", role, *extra,
                "--password-stdin", stdin="a long enough password\n")
    assert all(OLD in text(s, next(NUMBERS), "hello") for s in instances)

    folder = tmp_path / "edit"
    hotline(shared, tmp_path, "content", "export", str(folder))
    main = folder / "flows/main.yaml"
    main.write_text(main.read_text().replace(OLD, NEW))
    draft = hotline(shared, tmp_path, "content", "import", str(folder), "--by", "ed@line.org", "--reason", "clearer")
    assert "only a publisher publishes" in hotline(shared, tmp_path, "content", "publish", draft, "--by",
                                                   "tomas@line.org", ok=False)
    assert "must approve it first" in hotline(shared, tmp_path, "content", "publish", draft, "--by", "pat@line.org",
                                              ok=False)
    hotline(shared, tmp_path, "content", "approve", draft, "--by", "quinn@line.org")
    assert hotline(shared, tmp_path, "content", "publish", draft, "--by", "pat@line.org").endswith("revision 2")
    served_everywhere(instances, NEW)

    own = tmp_path / "own"
    write_files(fx.shipped(), own)
    shutil.copy(main, own / "flows/main.yaml")
    (own / "flows/main.yaml").write_text((own / "flows/main.yaml").read_text().replace("day and night", "always"))
    mine = hotline(shared, tmp_path, "content", "import", str(own), "--by", "pat@line.org", "--reason", "shorter")
    assert "pat@line.org wrote this draft" in hotline(shared, tmp_path, "content", "approve", mine, "--by",
                                                      "pat@line.org", ok=False)

    restore = hotline(shared, tmp_path, "content", "restore", "1", "--by", "pat@line.org", "--reason", "undo",
                      ok=False)
    waiting = restore.split("draft ")[1].split(" ")[0]
    hotline(shared, tmp_path, "content", "approve", waiting, "--by", "quinn@line.org")
    hotline(shared, tmp_path, "content", "publish", waiting, "--by", "pat@line.org")
    served_everywhere(instances, OLD)
    log = hotline(shared, tmp_path, "audit")
    assert "quinn@line.org\tdraft approved" in log and "pat@line.org\tpublished" in log
    assert hotline(shared, tmp_path, "audit", "verify").startswith("the audit log is intact")


def test_on_the_embedded_defaults_a_publish_is_served_and_survives_a_restart(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL") and not k.startswith("HOTLINE_")}
    env.update(HOTLINE_INSTANCE=str(tmp_path / "instance"), HOTLINE_FLOWS=str(fx.SMALL / "flows"),
               HOTLINE_TRANSLATIONS=str(fx.SMALL / "translations"))
    no_database = {"HOTLINE_FLOWS": env["HOTLINE_FLOWS"], "HOTLINE_TRANSLATIONS": env["HOTLINE_TRANSLATIONS"],
                   "HOTLINE_INSTANCE": env["HOTLINE_INSTANCE"], "DATABASE_URL": ""}
    for email, role in (("ed@line.org", "editor"), ("pat@line.org", "publisher"), ("quinn@line.org", "publisher")):
        hotline(no_database, tmp_path, "staff", "add", email, "--name", email[:3], "--role", role,
                "--password-stdin", stdin="a long enough password\n")
    with serve_dev(env) as port:
        assert OLD in dev_text(port, "hello", next(NUMBERS))
        folder = tmp_path / "edit"
        hotline(no_database, tmp_path, "content", "export", str(folder))
        main = folder / "flows/main.yaml"
        main.write_text(main.read_text().replace(OLD, NEW))
        draft = hotline(no_database, tmp_path, "content", "import", str(folder), "--by", "ed@line.org",
                        "--reason", "clearer")
        hotline(no_database, tmp_path, "content", "approve", draft, "--by", "quinn@line.org")
        hotline(no_database, tmp_path, "content", "publish", draft, "--by", "pat@line.org")
        deadline = time.monotonic() + SERVED_WITHIN
        while NEW not in dev_text(port, "hello", next(NUMBERS)):
            assert time.monotonic() < deadline, f"not served within {SERVED_WITHIN} s"
            time.sleep(0.05)
    with serve_dev(env) as port:  # a restart: the published revision, not the shipped files
        assert NEW in dev_text(port, "hello", next(NUMBERS))
    assert hotline(no_database, tmp_path, "content", "history").splitlines()[-1].startswith("2\t")
