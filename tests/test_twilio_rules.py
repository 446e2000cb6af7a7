"""Twilio's real rules, through signed webhooks: the URL a signature is checked against,
webhook signing keys, speechTimeout, and the 1,600-character message cap."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from twilio.request_validator import RequestValidator

from hotline import bench
from hotline.channels import MAX_MESSAGE, gsm
from tests.conftest import BASE, NUMBER, ROOT, SMALL, TOKEN, Call, Texter, Twilio, messages, sign, sms_params

SHARED = "shared-key-secret-0123456789abcdef"
SETTINGS = "key=webhooks_sharedkey_01hzzzzzzzzzzzzzzzzzzzzzzz,algorithm=HMAC_SHA256"


# --- the URL a signature is checked against -----------------------------------------------

def test_no_start_without_a_public_url_outside_dev(make_app):
    with pytest.raises(RuntimeError, match="HOTLINE_PUBLIC_URL"):
        make_app(PUBLIC_URL=None)
    make_app(PUBLIC_URL=None, DEV=True)
    make_app(PUBLIC_URL=None, ACCEPTED_HOSTS="line.example.org")


@pytest.mark.system
def test_the_procfile_command_refuses_to_start_without_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update({"TWILIO_AUTH_TOKEN": TOKEN, "HOTLINE_SECRET": secrets.token_hex(32)})
    with bench.redis_server() as (url, _where):
        env["REDIS_URL"] = url
        argv = bench.procfile_argv("hotline:create_app()", bench.free_port(), env)
        done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "HOTLINE_PUBLIC_URL is not set" in done.stdout + done.stderr


def test_a_signature_made_for_another_deployment_fails(twilio):
    params = sms_params(NUMBER, "hello")
    other = "https://other-line.example.org"
    response = twilio.client.post("/sms", data=params, base_url=other,
                                  headers={"X-Twilio-Signature": sign(other + "/sms", params)})
    assert response.status_code == 403


def test_accepted_hosts_instead_of_a_public_url(make_app):
    client = make_app(PUBLIC_URL=None, ACCEPTED_HOSTS="line.example.org, line2.example.org").test_client()
    params = sms_params(NUMBER, "hello")
    for base in ("https://line.example.org", "https://line2.example.org"):
        ok = client.post("/sms", data=params, base_url=base,
                         headers={"X-Twilio-Signature": sign(base + "/sms", params)})
        assert "1 Your rights" in messages(ok)[0]
    other = "https://other-line.example.org"
    refused = client.post("/sms", data=params, base_url=other,
                          headers={"X-Twilio-Signature": sign(other + "/sms", params)})
    assert refused.status_code == 400


# --- webhook signing keys -------------------------------------------------------------------

def sha256_signature(secret: str, url: str, params: dict) -> str:
    data = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(secret.encode(), data.encode(), hashlib.sha256).digest()).decode()


def post_with_key(client, params: dict, signature: str):
    return client.post("/sms", data=params, headers={"X-Twilio-Signature": signature,
                                                     "X-Twilio-Webhooks-Signature-Settings": SETTINGS})


def test_a_webhook_signed_with_a_shared_key(make_app):
    client = make_app(TWILIO_SHARED_KEY_SECRET=SHARED).test_client()
    params = sms_params(NUMBER, "hello")
    assert sha256_signature(SHARED, BASE + "/sms", params) == RequestValidator(SHARED).compute_signature(
        BASE + "/sms", params, "HMAC_SHA256")
    assert "1 Your rights" in messages(post_with_key(client, params, sha256_signature(SHARED, BASE + "/sms", params)))[0]
    # The Auth Token does not sign these: with the header, only the shared key counts.
    assert post_with_key(client, params, sha256_signature(TOKEN, BASE + "/sms", params)).status_code == 403
    assert post_with_key(client, params, sign(BASE + "/sms", params)).status_code == 403
    # Without the header the Auth Token still signs (HMAC-SHA1).
    assert messages(Twilio(client).post("/sms", params))


def test_rotating_shared_keys_and_a_missing_one(make_app, caplog):
    params = sms_params(NUMBER, "hello")
    rotating = make_app(TWILIO_SHARED_KEY_SECRET=f"new-{SHARED}, {SHARED}").test_client()
    for secret in (SHARED, f"new-{SHARED}"):
        assert messages(post_with_key(rotating, params, sha256_signature(secret, BASE + "/sms", params)))
    missing = make_app().test_client()
    assert post_with_key(missing, params, sha256_signature(SHARED, BASE + "/sms", params)).status_code == 403
    assert "TWILIO_SHARED_KEY_SECRET is not set" in caplog.text


# --- voice: speechTimeout ---------------------------------------------------------------------

def test_every_gather_with_speech_ends_on_a_pause(twilio, app):
    content = app.extensions["hotline"].content
    call = Call(twilio, content)
    call.start().silence().press("1").say("rights at work").press("9")
    gathers = [g for d in call.documents for g in ET.fromstring(d).iter("Gather")]
    assert len(call.documents) == 5 and len(gathers) >= 4
    for gather in gathers:
        if "speech" in gather.get("input"):
            timeout = gather.get("speechTimeout")
            assert timeout == "auto" or int(timeout) <= 3, gather.attrib


# --- one message is at most 1,600 characters --------------------------------------------------

def test_no_message_is_longer_than_1600_characters_whatever_the_budget(tmp_path, make_app):
    flows = shutil.copytree(SMALL / "flows", tmp_path / "flows")
    main = flows / "main.yaml"
    first = "      A complaint can be made up to three years after the work was done."
    long_text = "\n\n".join([first] * 40)
    main.write_text(main.read_text().replace(first, long_text, 1))
    app = make_app(FLOWS=str(flows))
    # A budget above the allowed range (3 to 10), so start-up would refuse it: set it on
    # the running line instead.
    line = app.extensions["hotline"]
    line.sms = replace(line.sms, budget=40)
    resident = Texter(Twilio(app.test_client()))
    resident.text("hello")
    resident.text("4")  # Rights at work
    pages = [resident.text("1")]  # Unpaid wages, its last paragraph now 40 times over
    while "MORE" in pages[-1] and len(pages) < 10:
        pages.append(resident.text("MORE"))
    assert len(pages) > 1 and sum(len(p) for p in pages) > MAX_MESSAGE
    assert all(len(p) <= MAX_MESSAGE for p in resident.received)
    assert gsm.segments(pages[0]) > 3  # the budget is used: pages are cut by the cap, not the segments


def test_twilio_posts_every_answer_quickly(twilio):
    """Bad input still gets an answer; a too-long Body is not a reason for a 5xx."""
    started = time.monotonic()
    assert messages(twilio.post("/sms", sms_params(NUMBER, "x" * MAX_MESSAGE * 3)))
    assert time.monotonic() - started < 5


# --- a Fallback URL served elsewhere ----------------------------------------------------------

def test_hotline_fallback_prints_twiml_bins_for_texts_and_calls():
    from click.testing import CliRunner

    from hotline.cli import main

    runner = CliRunner()
    text = ET.fromstring(runner.invoke(main, ["fallback", "--channel", "sms"]).output)
    call = ET.fromstring(runner.invoke(main, ["fallback", "--channel", "voice"]).output)
    (message,) = text.iter("Message")
    assert message.text.count("911") == 2 and "emergencia" in message.text.lower()
    assert gsm.segments(message.text) <= 2
    says = list(call.iter("Say"))
    assert [s.get("language") for s in says] == ["en-US", "es-US"] and all("9 1 1" in s.text for s in says)
    assert call[-1].tag == "Hangup"
    both = runner.invoke(main, ["fallback"])
    assert both.exit_code == 0 and both.output.count("<Response>") == 2
