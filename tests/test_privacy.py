"""Keeps nothing: after 1,000 scripted conversations over SMS and voice, no phone number,
SID or message text is anywhere in Redis or in the logs."""
from __future__ import annotations

import logging
import random

from tests.conftest import Call, Texter

SMS_SCRIPTS = [
    ["hello", "3", "1", "#", "2", "0"],
    ["hola", "5", "1", "atrás", "2"],
    ["I am scared, my husband was taken at 2200 W Cermak", "2", "1", "more", "STOP"],
    ["AYUDA", "7", "1", "*", "0", "language", "3"],
]
VOICE_SCRIPTS = [
    ["1", "3", "1", "*", "#", "0"],
    ["2", "say: legal help", "1", "busy"],
    ["1", "", "", "", ""],
    ["2", "say: what do I do if police stop me", "4", "1"],
]


def private_words(i: int) -> list[str]:
    return [f"+1312{i:07d}", f"312{i:07d}", f"SM{i:032x}", f"CA{i:032x}"]


def test_thousand_conversations_leave_no_identifier_behind(app, twilio, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    content = app.extensions["hotline"].content
    rng = random.Random(7)
    secrets: set[str] = {"Cermak", "husband", "scared", "police stop me"}
    for i in range(500):
        number = f"+1312{i:07d}"
        resident = Texter(twilio, number=number)
        for body in rng.choice(SMS_SCRIPTS):
            resident.text(body)
        secrets.update(private_words(i))
    for i in range(500, 1000):
        caller = f"+1312{i:07d}"
        call = Call(twilio, content, sid=f"CA{i:032x}", caller=caller).start()
        for step in rng.choice(VOICE_SCRIPTS):
            if call.hung_up:
                break
            if step == "busy" and call.dial is not None:
                call.dial_ends("busy")
            elif step.startswith("say: "):
                call.say(step[5:])
            elif step == "" and call.root.find("Redirect") is not None:
                call.silence()
            elif step and call.root.find("Gather") is not None:
                call.press(step)
        secrets.update(private_words(i))

    stored = []
    for key in redis_client.scan_iter("*"):
        kind = redis_client.type(key)
        value = {b"string": redis_client.get, b"hash": redis_client.hgetall}[kind](key)
        stored.append(f"{key!r} {value!r}")
    dump = "\n".join(stored)
    logs = caplog.text
    assert stored, "the conversations left sessions and counts"
    for secret in secrets:
        assert secret not in dump, secret
        assert secret not in logs, secret
    keys = [k.decode() for k in redis_client.scan_iter("*")]
    assert all(k.startswith(("hl:s:", "hl:c:", "hl:r:")) for k in keys)
