"""The README's first command, `hotline serve --dev`, as a real process: the line on the
embedded defaults (Werkzeug's server, the embedded Redis) answers texts at once and in
conversation, and leaves nothing running when it stops."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from hotline.bench import free_port
from tests.conftest import ROOT
from tests.test_procfile import embedded_servers

pytestmark = pytest.mark.system  # real processes: left out of the quick loop


def text(port: int, body: str, number: str = "+13125550161") -> str:
    data = urllib.parse.urlencode({"From": number, "Body": body}).encode()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/sms", data=data, timeout=10) as answer:
        return "\n".join(m.text or "" for m in ET.fromstring(answer.read()).iter("Message"))


@contextlib.contextmanager
def serve_dev(env: dict[str, str]) -> Iterator[int]:
    """The README's start command, `hotline serve --dev`, as the installed command runs it;
    yields its port once /healthz answers, and stops it after."""
    port = free_port()
    line = subprocess.Popen([str(Path(sys.executable).with_name("hotline")), "serve", "--dev", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                assert line.poll() is None and time.monotonic() < deadline, "hotline serve did not start"
                time.sleep(0.1)
        yield port
    finally:
        line.send_signal(signal.SIGTERM)
        line.wait(10)


def test_hotline_serve_dev_answers_texts_in_conversation(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL" and not k.startswith("HOTLINE_")}
    env["HOTLINE_INSTANCE"] = str(instance)
    with serve_dev(env) as port:
        started = time.monotonic()
        assert "1 Sus derechos en Chicago" in text(port, "hola")
        assert "Los agentes pueden ser de ICE o de la Patrulla Fronteriza" in text(port, "3")
        assert time.monotonic() - started < 5  # no read waits on the client to hang up
    deadline = time.monotonic() + 10
    while embedded_servers(instance) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert embedded_servers(instance) == []
