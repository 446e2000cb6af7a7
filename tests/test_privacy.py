"""Keeps nothing: after 1,000 scripted conversations over SMS, WhatsApp and voice, no phone
number, WhatsApp address, WhatsApp name (ProfileName) or id (WaId), SID or message text is
anywhere in Redis or in the logs."""
from __future__ import annotations

import logging
import random

from tests.conftest import Call, Texter, redis_dump, whatsapp_params

SMS_SCRIPTS = [
    ["hello", "3", "1", "#", "2", "0"],
    ["hola", "5", "1", "atrás", "2"],
    ["I am scared, my husband was taken at 2200 W Cermak", "2", "1", "more", "STOP"],
    ["AYUDA", "7", "1", "*", "0", "language", "3"],
    ["привіт", "3", "1", "МЕНЮ", "СТОП"],
]
VOICE_SCRIPTS = [
    ["1", "3", "1", "*", "#", "0"],
    ["2", "say: legal help", "1", "busy"],
    ["1", "", "", "", ""],
    ["2", "say: what do I do if police stop me", "4", "1"],
]


def private_words(i: int) -> list[str]:
    return [f"+1312{i:07d}", f"312{i:07d}", f"SM{i:032x}", f"CA{i:032x}", f"whatsapp:+1312{i:07d}",
            f"1312{i:07d}", profile_name(i)]


def profile_name(i: int) -> str:
    return f"Yesenia Carrasco {i:03d}"


def test_thousand_conversations_leave_no_identifier_behind(app, twilio, redis_client, caplog):
    caplog.set_level(logging.DEBUG)
    content = app.extensions["hotline"].content
    rng = random.Random(7)
    secrets: set[str] = {"Cermak", "husband", "scared", "police stop me", "Carrasco"}
    for i in range(500):  # half by SMS, half on WhatsApp, each with its own name and id
        number = f"+1312{i:07d}"
        if i % 2:
            resident = Texter(twilio, number=f"whatsapp:{number}", params=whatsapp_params)
            extra = {"ProfileName": profile_name(i), "MessageSid": f"SM{i:032x}"}
        else:
            resident, extra = Texter(twilio, number=number), {"MessageSid": f"SM{i:032x}"}
        for body in rng.choice(SMS_SCRIPTS):
            resident.text(body, **extra)
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

    dump = redis_dump(redis_client)
    logs = caplog.text
    assert "hl:s:" in dump and "hl:c:" in dump, "the conversations left sessions and counts"
    assert "|whatsapp|" in dump and "|sms|" in dump and "|voice|" in dump
    for secret in secrets:
        assert secret not in dump, secret
        assert secret not in logs, secret
    keys = [k.decode() for k in redis_client.scan_iter("*")]
    assert all(k.startswith(("hl:s:", "hl:c:", "hl:r:")) for k in keys)


def test_an_unexpected_error_still_answers_and_logs_no_caller_words(twilio, monkeypatch, caplog):
    from hotline.channels import messaging
    from tests.conftest import messages, sms_params

    def broken(content, session, body, channel, opt_out_type="", media=False):
        raise ValueError(f"could not handle {body!r}")

    monkeypatch.setattr(messaging, "answer", broken)
    reply = messages(twilio.post("/sms", sms_params("+13125550142", "my name is Maria Lopez")))
    assert "911" in reply[0]
    assert "unexpected ValueError on /sms" in caplog.text and "broken" in caplog.text
    assert "Maria" not in caplog.text and "3125550142" not in caplog.text


def test_the_log_filter_blanks_numbers_and_sids_whoever_logs_them(caplog):
    import logging

    from hotline.web import privacy

    privacy.install()
    logging.getLogger("hotline").warning("from +1 (312) 555-0142 sid CA%s", "0123456789abcdef" * 2)
    assert "555-0142" not in caplog.text and "CA0123" not in caplog.text
    assert "[redacted]" in caplog.text
