"""Wrong staff tokens, counted per client and for the whole line, so the staff token cannot
be guessed by trying: past either limit every try waits for the window to end (429), a
right token too (answering it would tell a guesser they had found it).

Counted in Redis, shared by every worker and instance, under `hl:t:<window>:<hash>` and
`hl:t:<window>:all`, gone with their window; the client is an HMAC of its address with a
key from HOTLINE_SECRET, never the address itself. While Redis is away, counted in this
process.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time

import redis

PREFIX = "hl:t:"
WINDOW = 15 * 60   # seconds
PER_CLIENT = 10    # wrong tokens from one address per window
OVERALL = 30       # wrong tokens from everyone per window


class Throttle:
    def __init__(self, client: redis.Redis, secret: bytes, per_client: int = PER_CLIENT,
                 overall: int = OVERALL, window: int = WINDOW) -> None:
        self.client = client
        self._key = hmac.new(secret, b"hotline staff throttle", hashlib.sha256).digest()
        self.per_client, self.overall, self.window = per_client, overall, window
        self._lock = threading.Lock()
        self._local: dict[str, int] = {}
        self._local_slot = -1

    def _keys(self, who: str) -> tuple[int, list[str]]:
        slot = int(time.time() // self.window)
        tag = hmac.new(self._key, who.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:32]
        return slot, [f"{PREFIX}{slot}:{tag}", f"{PREFIX}{slot}:all"]

    def wait(self, who: str) -> int:
        """Seconds until `who` may try a token again; 0: now."""
        slot, keys = self._keys(who)
        try:
            counts = [int(n or 0) for n in self.client.mget(keys)]
        except redis.RedisError:
            counts = self._counted(slot, keys, 0)
        if counts[0] < self.per_client and counts[1] < self.overall:
            return 0
        return max(1, int((slot + 1) * self.window - time.time()))

    def failed(self, who: str) -> None:
        """One more wrong token from `who`."""
        slot, keys = self._keys(who)
        try:
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.incr(key)
                pipe.expire(key, self.window)
            pipe.execute()
        except redis.RedisError:
            self._counted(slot, keys, 1)

    def _counted(self, slot: int, keys: list[str], add: int) -> list[int]:
        with self._lock:
            if slot != self._local_slot:
                self._local, self._local_slot = {}, slot
            for key in keys:
                self._local[key] = self._local.get(key, 0) + add
            return [self._local[key] for key in keys]
