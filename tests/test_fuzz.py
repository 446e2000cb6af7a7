"""Property tests: whatever Twilio (or anyone) posts, the answer is 200 with valid TwiML or
a 4xx, never a 5xx; the engine never leaves the flow."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hotline.engine import (
    NAVIGATION,
    Choose,
    Navigate,
    Session,
    SetLanguage,
    Start,
    Unknown,
    step,
)
from tests.conftest import BASE, sign

EXAMPLES = 2000 * int(os.environ.get("HOTLINE_FUZZ_SCALE", "1"))  # `pytest --slow`: 20,000

junk_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=2000),
    st.sampled_from(["1", "2", "9", "0", "#", "*", "99", "-1", "STOP", "HELP", "hola", "MENU", "ALTO",
                     "atrás", "more", "🙏", "\x00", "language", "2 2", "１", "٣"]),
    st.integers(-10, 100).map(str),
)
field_names = st.sampled_from(["From", "Body", "To", "MessageSid", "NumMedia", "AccountSid", "X"])


def fuzz_settings(request_count: int = EXAMPLES):
    return settings(max_examples=request_count, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory, embedded_redis):
    """One app for the whole module (hypothesis runs thousands of examples), on the small flow."""
    from hotline import create_app
    from tests.conftest import SECRET, SMALL, TOKEN

    app = create_app({"SECRET": SECRET, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_URL": BASE, "REDIS_URL": embedded_redis,
                      "CONTENT": "files", "FLOWS": str(SMALL / "flows"), "TRANSLATIONS": str(SMALL / "translations"),
                      "INSTANCE": str(tmp_path_factory.mktemp("fuzz")), "RATE_PER_MINUTE": 10**6,
                      "RATE_PER_HOUR": 10**6, "RATE_GLOBAL_PER_MINUTE": 10**7})
    yield app.test_client()


def assert_twilio_safe(response) -> None:
    assert response.status_code < 500
    if response.status_code == 200:
        root = ET.fromstring(response.data)
        assert root.tag == "Response"
    else:
        assert response.status_code in (400, 403, 404, 405, 413)


@fuzz_settings()
@given(sender=st.sampled_from(["+13125550100", "+13125550101", "", "not a number", "+1" + "9" * 30]),
       body=junk_text,
       extra=st.dictionaries(field_names, st.text(max_size=30), max_size=3))
def test_sms_webhook_never_fails(fuzz_client, sender, body, extra):
    params = {"From": sender, "Body": body, **extra}
    params = {k: v for k, v in params.items() if "\x00" not in k}
    response = fuzz_client.post("/sms", data=params, headers={"X-Twilio-Signature": sign(BASE + "/sms", params)})
    assert_twilio_safe(response)
    if response.status_code == 200:
        assert response.data.count(b"<Message>") <= 1


voice_states = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.builds(lambda lang, node, misses, page, trail: ".".join([lang, node, misses, page, *trail]),
              st.sampled_from(["", "en", "es", "ht", "xx"]),
              st.sampled_from(["main", "ice", "ice_door", "legal_icirr", "talk_to_person", "gone"]),
              st.sampled_from(["0", "1", "2", "3", "9", "x"]), st.sampled_from(["0", "1", "2", "77"]),
              st.lists(st.sampled_from(["main", "ice", "legal_help", "nowhere"]), max_size=4)),
)


@fuzz_settings()
@given(action=st.sampled_from(["", "/step", "/dialed"]), state=voice_states,
       digits=st.one_of(st.none(), st.sampled_from(list("0123456789*#")), st.text(max_size=5)),
       speech=st.one_of(st.none(), junk_text),
       status=st.one_of(st.none(), st.sampled_from(["busy", "no-answer", "completed", "failed", "x"])))
def test_voice_webhooks_never_fail(fuzz_client, action, state, digits, speech, status):
    from urllib.parse import quote
    path = "/voice" + action + (f"?s={quote(state, safe='')}" if state is not None else "")
    params = {"CallSid": "CA" + "0" * 32, "From": "+13125550100"}
    for name, value in (("Digits", digits), ("SpeechResult", speech), ("DialCallStatus", status)):
        if value is not None:
            params[name] = value
    params = {k: v for k, v in params.items() if "\x00" not in v}
    response = fuzz_client.post(path, data=params, headers={"X-Twilio-Signature": sign(BASE + path, params)})
    assert_twilio_safe(response)
    if response.status_code == 200:
        root = ET.fromstring(response.data)
        assert root.find("Gather") is not None or root.find("Hangup") is not None or root.find("Dial") is not None \
            or root.find("Redirect") is not None


@fuzz_settings(200)
@given(path=st.sampled_from(["/sms", "/fallback", "/healthz", "/voice", "/nope"]),
       method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
       content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain",
                                     "multipart/form-data; boundary=x"]),
       raw=st.binary(max_size=300))
def test_any_method_and_content_type_is_safe(fuzz_client, path, method, content_type, raw):
    response = fuzz_client.open(path, method=method, data=raw, headers={"Content-Type": content_type})
    assert response.status_code < 500


def flow_for_engine():
    from hotline.flow import load_flow
    from tests.conftest import SMALL
    return load_flow(SMALL / "flows")


FLOW = flow_for_engine()
events = st.one_of(
    st.builds(Start, lang=st.sampled_from([None, "en", "es"]), help=st.booleans()),
    st.builds(Choose, number=st.integers(-3, 12)),
    st.builds(SetLanguage, lang=st.sampled_from(["en", "es", "pl"])),
    st.builds(Navigate, action=st.sampled_from(NAVIGATION)),
    st.builds(Unknown, silence=st.booleans()),
)


@fuzz_settings()
@given(st.lists(events, max_size=30),
       st.one_of(st.none(), st.builds(Session, lang=st.sampled_from([None, "en", "es"]),
                                      node=st.sampled_from(list(FLOW.nodes) + ["removed_node"]),
                                      trail=st.lists(st.sampled_from(list(FLOW.nodes) + ["gone"]), max_size=5).map(tuple))))
def test_engine_always_lands_on_a_real_node(evs, session):
    for event in evs:
        session, reply = step(FLOW, session, event)
        assert reply.node is None or reply.node in FLOW.nodes
        assert session.node in FLOW.nodes
        assert len(session.trail) <= 20
        assert reply.lang == session.lang
