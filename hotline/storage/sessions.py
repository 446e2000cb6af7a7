"""Sessions in Redis, keyed by a keyed hash of channel and number, with rate limits.

- The key is HMAC-SHA256(day key, channel + number), the day key itself an HMAC of the date
  with `HOTLINE_SECRET`: one day's sessions cannot be linked to the next day's, and the
  secret never leaves process memory. A conversation that crosses midnight is found under
  yesterday's key and moves to today's.
- The value holds only language, node, trail, counters and which notice the reply carried.
- Two round trips per message: one script reads the session and counts the message for
  the rate limits; one script writes the new session only if nobody else changed it since
  (compare-and-set), so texts arriving at the same moment never corrupt a session, and
  adds the step to the staff counts (`hotline.storage.stats`).
- When Redis is down or slow the caller still gets an answer: the channel answers without a
  session, and rate limits count in this process until Redis is back.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import redis

from hotline.engine import Notice, Session
from hotline.storage import stats

log = logging.getLogger("hotline")
PREFIX = "hl:s:"
RATE = "hl:r:"
HEALTH = "hl:health"  # written by /healthz: proves Redis takes writes
T = TypeVar("T")
MAX_TRIES = 50

# KEYS: today's and yesterday's session keys, then the caller's minute and hour counters and
# the line's minute counter. Returns both sessions ('' for none) and the three counts; a
# counter gets its expiry (RATE_WINDOWS, written into the script) when it is born. One reply
# to parse instead of seven.
RATE_WINDOWS = (120, 7200, 120)  # seconds each counter lives: two minutes, two hours
_READ = "local windows = {" + ", ".join(map(str, RATE_WINDOWS)) + """}
local out = {redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[2]) or ''}
for i = 3, 5 do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('EXPIRE', KEYS[i], windows[i - 2]) end
  out[i] = n
end
return out
"""

# KEYS[1] today's key, KEYS[2] yesterday's, KEYS[3] and KEYS[4] today's and yesterday's
# counters; ARGV: expected old value ('' = none), new value ('' = delete), ttl, counters'
# ttl, then (counters key number, field, delta) triples. Writes only if today's value is
# still what was read; counts only what was written.
_CAS = """
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) end
redis.call('DEL', KEYS[2])
if #ARGV > 4 then
  for i = 5, #ARGV, 3 do redis.call('HINCRBY', KEYS[tonumber(ARGV[i])], ARGV[i + 1], ARGV[i + 2]) end
  redis.call('EXPIRE', KEYS[3], ARGV[4])
end
return 1
"""

# KEYS[1] the day's counters; ARGV: their ttl, then (field, delta) pairs. One command for
# redis-py to send and read, where a pipeline of them cost a voice step more than the rest.
_COUNT = """
for i = 2, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
"""


@dataclass(frozen=True)
class Limits:
    """Most messages one caller may send (per minute, per hour) and the whole line per minute."""

    per_minute: int = 60
    per_hour: int = 200
    global_per_minute: int = 600


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """`result` is None when the message is not answered by the flow: `notice` says whether
    to tell the caller to slow down (once per window) or stay silent; `busy`, that the line
    is over its line-wide limit and this is a new conversation, to be answered with the
    fixed busy text (no session is read for it or written)."""

    result: T | None
    notice: bool = False
    busy: bool = False
    kept: bool = True  # False: answered without a stored session (Redis unavailable, full or busy)


_JSON = json.JSONEncoder(separators=(",", ":"))  # `json.dumps` with separators builds one per call


def encode(session: Session) -> str:
    # Its fields as they are (tuples, a StrEnum): `asdict` would copy them all first.
    return _JSON.encode(vars(session))


def decode(raw: bytes | str | None) -> Session | None:
    """A stored session, or None for nothing or a value this version cannot read."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        data["trail"] = tuple(str(n) for n in data.get("trail", ()))
        data["notice"] = None if data.get("notice") is None else Notice(data["notice"])
        session = Session(**data)
    except (ValueError, TypeError, AttributeError):
        return None
    counters = (session.page, session.misses, session.steps)
    if (not isinstance(session.lang, str | None) or not isinstance(session.node, str)
            or not all(type(n) is int and n >= 0 for n in counters)):
        return None  # a value no version of the line wrote: the staff simulator's input, say
    return session


class _LocalCounts:
    """Rate counting in this process while Redis is away."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def incr(self, keys: list[str]) -> list[int]:
        with self._lock:
            if len(self._counts) > 100_000:
                self._counts.clear()
            out = []
            for key in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
                out.append(self._counts[key])
            return out


class SessionStore:
    def __init__(self, client: redis.Redis, secret: bytes, ttl: int, limits: Limits = Limits(),
                 retry_after: float = 5.0, now: Callable[[], float] = time.time) -> None:
        self.client = client
        self.now = now  # the clock the day keys and rate windows follow (tests move their own)
        self.retry_after = retry_after  # seconds Redis is left alone after it failed
        self._secret = secret
        self.ttl = ttl
        self.limits = limits
        self._read = client.register_script(_READ)
        self._cas = client.register_script(_CAS)
        self._count = client.register_script(_COUNT)
        self._local = _LocalCounts()
        self._paused_until = 0.0

    def caller_hash(self, channel: str, number: str, day: dt.date) -> str:
        """Same caller and day, same hash; the number itself is never stored or returned."""
        return hmac.digest(_day_key(self._secret, day), f"{channel}:{number}".encode(), hashlib.sha256).hex()

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._paused_until

    def writable(self) -> bool:
        """Redis takes a write now (a ping also answers while a full Redis refuses every
        write, and every text then loses its session)."""
        try:
            return bool(self.client.set(HEALTH, "1", ex=60))
        except redis.RedisError:
            return False

    def converse(self, channel: str, number: str,
                 handle: Callable[[Session | None], tuple[Session | None, T]],
                 exempt: Callable[[], bool] = lambda: False) -> Outcome[T]:
        """Load the caller's session, let `handle` answer, store what it returns (None:
        forget the caller). `handle` must be pure: it may run again if texts cross.
        `exempt` messages (an opt-out) are counted but never limited: asked only of a
        message over a limit."""
        now = self.now()
        today = _day(now)
        who = self.caller_hash(channel, number, today)
        keys = [PREFIX + who, PREFIX + self.caller_hash(channel, number, today - dt.timedelta(days=1))]
        minute, hour = int(now // 60), int(now // 3600)
        rates = [f"{RATE}{who}:m{minute}", f"{RATE}{who}:h{hour}", f"{RATE}all:m{minute}"]
        if not self.available:
            return self._without_redis(rates, handle, exempt)
        try:
            today_raw, yesterday_raw, per_minute, per_hour, everyone = self._read(
                keys=keys + rates)
        except redis.RedisError as exc:
            self._failed(exc)
            return self._without_redis(rates, handle, exempt)
        fresh = not today_raw and not yesterday_raw  # a new conversation
        limited: Outcome[T] | None = self._limited(per_minute, per_hour, everyone, fresh)
        if limited and not exempt():
            return limited
        expected = today_raw
        session = decode(today_raw) or decode(yesterday_raw)
        counters = [stats.day_key(today), stats.day_key(today - dt.timedelta(days=1))]
        for _ in range(MAX_TRIES):
            new, result = handle(session)
            # A mark left yesterday is taken back from yesterday's counts.
            from_yesterday = not expected and session is not None
            changes = [x for name, delta, old in stats.transition(channel, session, new)
                       for x in (4 if old and from_yesterday else 3, name, delta)]
            args = [expected, encode(new) if new else "", self.ttl, stats.KEEP_DAYS * 86400, *changes]
            try:
                if self._cas(keys=[*keys, *counters], args=args):
                    return Outcome(result)
                expected = self.client.get(keys[0]) or b""
            except redis.RedisError as exc:
                self._failed(exc)
                return Outcome(result, kept=False)
            session = decode(expected)
        log.warning("session busy after %d tries; answered without saving", MAX_TRIES)
        return Outcome(result, kept=False)

    def count(self, channel: str, before: Session | None, after: Session | None) -> None:
        """Add one step to the staff counts, for a channel whose state is not kept here
        (voice). Best effort: a call never waits on or fails for it."""
        changes = stats.transition(channel, before, after)
        if not changes or not self.available:
            return
        key = stats.day_key(_day(self.now()))
        try:
            self._count(keys=[key], args=[stats.KEEP_DAYS * 86400,
                                          *(x for name, delta, _old in changes for x in (name, delta))])
        except redis.RedisError as exc:
            self._failed(exc)

    def _limited(self, per_minute: int, per_hour: int, everyone: int, new: bool) -> Outcome[T] | None:
        """Over a number's limit: tell it once per window, then stay silent. Over the
        line-wide limit: conversations under way go on, new ones get the busy text (never
        silence: it costs one cached message and no session)."""
        limits = self.limits
        if per_hour > limits.per_hour:  # told once an hour, not again each minute
            return Outcome(None, notice=per_hour == limits.per_hour + 1)
        if per_minute > limits.per_minute:
            return Outcome(None, notice=per_minute == limits.per_minute + 1)
        if everyone > limits.global_per_minute and new:
            return Outcome(None, busy=True)
        return None

    def _without_redis(self, rates: list[str], handle: Callable[[Session | None], tuple[Session | None, T]],
                       exempt: Callable[[], bool]) -> Outcome[T]:
        per_minute, per_hour, everyone = self._local.incr(rates)
        limited: Outcome[T] | None = self._limited(per_minute, per_hour, everyone, new=True)
        if limited and not exempt():
            return limited
        return Outcome(handle(None)[1], kept=False)

    def _failed(self, exc: Exception) -> None:
        # Callers during an outage should not each wait for a timeout: leave Redis alone a while.
        self._paused_until = time.monotonic() + self.retry_after
        log.error("Redis unavailable (%s); answering without sessions for %g s",
                  type(exc).__name__, self.retry_after)


@functools.lru_cache(maxsize=8)  # today's and yesterday's, computed once a day
def _day_key(secret: bytes, day: dt.date) -> bytes:
    return hmac.digest(secret, f"hotline-day:{day.isoformat()}".encode(), hashlib.sha256)


def _day(now: float) -> dt.date:
    """The UTC date at `now` (seconds since the epoch)."""
    return dt.datetime.fromtimestamp(now, dt.UTC).date()
