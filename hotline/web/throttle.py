"""Wrong tokens (the staff pages', `/metrics`'), counted per client and for the whole line,
so a token cannot be guessed by trying: past either limit every try waits for the window to
end (429), a right token too (answering it would tell a guesser they had found it).

Each try is counted before its token is compared, in one atomic step (a Lua script that
adds and sets the expiry), so simultaneous guesses cannot all slip in before any is
counted; a right token gives its count back. Counted in Redis, shared by every worker and
instance, under `hl:t:<window>:<hash>` and `hl:t:<window>:all` (the metrics token's under
`hl:t:metrics:`), gone with their window; the client is an HMAC of its address with a key
from HOTLINE_SECRET, never the address itself. Every process also counts its own tries and
goes by the larger count, so the throttle holds while Redis cannot count: down, full under
`noeviction`, a replica turned read-only, or counters evicted (each process then allows at
most the limits itself).
"""
from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

PREFIX = "hl:t:"
WINDOW = 15 * 60   # seconds
PER_CLIENT = 10    # wrong tokens from one address per window
OVERALL = 30       # wrong tokens from everyone per window

# KEYS: everyone's counter, the client's. ARGV: window, +1 or -1, the two limits. A try is
# counted only while both counts are under their limits (so refused tries, from however many
# addresses, make no keys); -1 gives a right token's count back (a count back at 0 is no key).
_COUNT = """
local function count(key) return tonumber(redis.call('GET', key) or '0') end
if tonumber(ARGV[2]) > 0 and (count(KEYS[1]) >= tonumber(ARGV[3]) or count(KEYS[2]) >= tonumber(ARGV[4])) then
  return 0
end
for _, key in ipairs(KEYS) do
  if redis.call('INCRBY', key, ARGV[2]) <= 0 then redis.call('DEL', key)
  elseif redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
end
return 1
"""


@dataclass(frozen=True)
class Verdict:
    right: bool  # the token was compared and is the right one
    wait: int    # seconds until this client may try again (429); 0: it was compared


class Throttle:
    def __init__(self, client: redis.Redis, secret: bytes, name: str = "", per_client: int = PER_CLIENT,
                 overall: int = OVERALL, window: int = WINDOW, now: Callable[[], float] = time.time) -> None:
        self.client = client
        self.now = now  # the clock the windows follow (tests move their own)
        self.prefix = PREFIX + (f"{name}:" if name else "")
        self._key = hmac.new(secret, b"hotline staff throttle", hashlib.sha256).digest()
        self.per_client, self.overall, self.window = per_client, overall, window
        self._script = client.register_script(_COUNT)
        self._lock = threading.Lock()
        self._local: dict[str, int] = {}
        self._local_slot = -1

    def compare(self, who: str, given: str, token: str) -> Verdict:
        """Count a try by `who`, then compare `given` with `token` (in constant time) if
        the counts allowed it."""
        return self.attempt(who, lambda: hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                                                              token.encode("utf-8", "surrogateescape")))

    def attempt(self, who: str, right: Callable[[], bool]) -> Verdict:
        """Count a try by `who`, then ask `right()` (a password checked, say) if the counts
        allowed it; a right try is given back."""
        slot, keys = self._keys(who)
        counted, in_redis = self._take(slot, keys)
        if not counted:
            return Verdict(False, max(1, math.ceil((slot + 1) * self.window - self.now())))
        if right():
            self._give_back(slot, keys, in_redis)  # a right token is not a guess
            return Verdict(True, 0)
        return Verdict(False, 0)

    def _keys(self, who: str) -> tuple[int, list[str]]:
        slot = int(self.now() // self.window)
        tag = hmac.new(self._key, who.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()[:32]
        return slot, [f"{self.prefix}{slot}:all", f"{self.prefix}{slot}:{tag}"]

    def _under(self, counts: list[int]) -> bool:
        return counts[0] < self.overall and counts[1] < self.per_client

    def _take(self, slot: int, keys: list[str]) -> tuple[bool, bool]:
        """Count one more try if this process's counts and Redis's are both under the
        limits; and whether Redis counted it."""
        with self._lock:
            if slot != self._local_slot:
                self._local, self._local_slot = {}, slot
            if not self._under([self._local.get(k, 0) for k in keys]):
                return False, False
            for key in keys:
                self._local[key] = self._local.get(key, 0) + 1
        try:
            counted, in_redis = bool(self._script(keys=keys, args=[self.window, 1, self.overall, self.per_client])), True
        except redis.RedisError:  # it cannot count: go by what it has, if it can be read
            counted, in_redis = self._under(self._read(keys)), False
        if not counted:
            self._give_back(slot, keys, False)
        return counted, in_redis

    def _read(self, keys: list[str]) -> list[int]:
        try:
            return [int(n or 0) for n in self.client.mget(keys)]
        except redis.RedisError:
            return [0, 0]

    def _give_back(self, slot: int, keys: list[str], in_redis: bool) -> None:
        with self._lock:
            if slot == self._local_slot:
                for key in keys:
                    if (left := self._local.pop(key, 0) - 1) > 0:
                        self._local[key] = left
        if in_redis:
            try:
                self._script(keys=keys, args=[self.window, -1, self.overall, self.per_client])
            except redis.RedisError:
                pass  # counted once too often, until the window ends
