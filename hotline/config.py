"""Settings: defaults here, then the environment, then `create_app(config)`.

`REDIS_URL`, `DATABASE_URL`, `TWILIO_AUTH_TOKEN` and `TWILIO_SHARED_KEY_SECRET` keep their platform names; everything else is set as
`HOTLINE_<NAME>` and read with Flask's `from_prefixed_env("HOTLINE")` (JSON values:
`HOTLINE_DEV=1`, `HOTLINE_SESSION_TTL=600`), landing in `app.config["<NAME>"]`.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Config

from hotline.channels import MAX_MESSAGE

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"  # the embedded Redis lives here when REDIS_URL is unset
MIN_TOKEN = 20  # characters of a token anyone who finds its page may try (throttled): staff, metrics
# SMS_SEGMENTS allowed: under 3 a menu's options no longer fit one message in every language
# (UCS-2 needs about 3); over 10 a GSM-7 reply would pass Twilio's 1,600 characters first.
SEGMENTS = range(3, 11)

DEFAULTS: dict[str, object] = {
    "SECRET": None,            # HMAC key for caller hashing; required unless DEV
    "PUBLIC_URL": None,        # base URL Twilio calls, e.g. https://line.example.org; required unless DEV
    "ACCEPTED_HOSTS": None,    # instead of PUBLIC_URL: host names Twilio may call, comma-separated
    "SESSION_TTL": 30 * 60,    # seconds a conversation is remembered after its last message
    "DEV": False,              # development mode: unsigned webhooks accepted, loud warning
    "SMS_SHORT_CODE": False,   # True on a short code: the line answers STOP and HELP itself
    "SMS_SEGMENTS": 3,         # most segments one SMS reply may cost
    "ORG_NAME": None,          # who runs the line, named in help and opt-out answers (required on a short code)
    "ORG_CONTACT": None,       # how residents reach them, e.g. a phone number (required on a short code)
    "CONTENT": "store",        # what the line serves: "store", the revision published in the database (every
                               # instance alike; FLOWS and TRANSLATIONS are the release, seeded or drafted); "files",
                               # those folders as they are (one machine's development, the loader's own tests)
    "FLOWS": str(ROOT / "flows"),
    "RELOAD_INTERVAL": 1.0,    # seconds between looks for edited flows and catalogs
    "TRANSLATIONS": str(ROOT / "translations"),
    "REVIEW_MAX_DAYS": 180,    # `hotline check` warns when a page's reviewed or a service's verified date is older
    "VOICE_PERSON_NODE": "talk_to_person",  # transfer node a caller is offered after 3 misses
    "RECORDINGS": str(ROOT / "recordings"),  # recorded prompts: <tag>/<key>.mp3 (voice.py)
    "RECORDINGS_URL": None,    # public base URL serving that folder; unset: no recorded prompts
    "REDIS_TIMEOUT": 1.0,      # seconds per Redis call; well under Twilio's 15 s
    "REDIS_RETRY_AFTER": 5.0,  # seconds the line answers without Redis after it failed
    "RATE_PER_MINUTE": 60,     # texts one number may send per minute before the line goes quiet
    "RATE_PER_HOUR": 200,      # ... and per hour (a looping phone cannot run up SMS costs)
    "RATE_GLOBAL_PER_MINUTE": 600,  # texts a minute line-wide above which new conversations get the busy text
    "STAFF_TOKEN": None,       # turns on the staff pages at /staff/ and is their password; unset: 404
    "STAFF_2FA": None,         # "required": admins and publishers must sign in with a TOTP code too
    "METRICS_TOKEN": None,     # turns on /metrics for requests with `Authorization: Bearer <token>`; unset: 404
    "INSTANCE": str(INSTANCE),  # this instance's own files: the embedded Redis, the last good content
}


def read(overrides: Mapping[str, Any] | None = None) -> Config:
    """Defaults, then the environment, then `overrides`, in that order."""
    cfg = Config(str(ROOT))
    cfg.update(DEFAULTS)
    cfg["REDIS_URL"] = os.environ.get("REDIS_URL") or None
    cfg["DATABASE_URL"] = os.environ.get("DATABASE_URL") or None  # unset: SQLite in the instance folder
    cfg["TWILIO_AUTH_TOKEN"] = os.environ.get("TWILIO_AUTH_TOKEN") or None
    # Twilio's webhook signing keys: the SharedKey secret(s), comma-separated while rotating
    cfg["TWILIO_SHARED_KEY_SECRET"] = os.environ.get("TWILIO_SHARED_KEY_SECRET") or None
    cfg.from_prefixed_env("HOTLINE")
    cfg.update(overrides or {})
    if cfg["SECRET"] is not None:
        cfg["SECRET"] = str(cfg["SECRET"])
    for switch in SWITCHES:  # "False" or "off" must not read as a true, non-empty string
        cfg[switch] = _on(cfg[switch])
    return cfg


SWITCHES = ("DEV", "SMS_SHORT_CODE")


def clock(cfg: Mapping[str, Any]) -> Callable[[], float]:
    """The clock the line's windows and days follow (seconds since the epoch): the system's,
    or `CLOCK` given to `create_app` (a test's, which it moves instead of waiting)."""
    return cfg.get("CLOCK") or time.time


def _on(value: object) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def check(cfg: Config) -> None:
    """Settings that would break the line stop it at start, each with one sentence."""
    segments = cfg["SMS_SEGMENTS"]
    if isinstance(segments, bool) or not isinstance(segments, int) or segments not in SEGMENTS:
        raise RuntimeError(
            f"HOTLINE_SMS_SEGMENTS is {segments!r}; it must be a whole number from {SEGMENTS[0]} to {SEGMENTS[-1]}: "
            f"under {SEGMENTS[0]} a menu's options no longer fit one message in every language, and over "
            f"{SEGMENTS[-1]} a message would pass the {MAX_MESSAGE:,} characters Twilio sends.")
    token = cfg["METRICS_TOKEN"]
    if token and len(str(token)) < MIN_TOKEN:
        raise RuntimeError(
            f"HOTLINE_METRICS_TOKEN is {len(str(token))} characters; it must be at least {MIN_TOKEN}: it opens "
            "/metrics to anyone who sends it. Make one with python3 -c 'import secrets; print(secrets.token_urlsafe(24))', "
            "or unset it to turn /metrics off.")


def https(cfg: Config) -> bool:
    """Staff and Twilio reach the line over HTTPS, whatever a proxy in front says: the public
    URL is https, or (HOTLINE_ACCEPTED_HOSTS, no public URL) the line is not in development mode."""
    url = str(cfg.get("PUBLIC_URL") or "")
    return url.startswith("https:") if url else not cfg.get("DEV")
