"""Which Redis the line talks to: the one `REDIS_URL` names (a server, or a Sentinel set),
or the instance's embedded server. Sessions and counts share the connection."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import redis
from redis.sentinel import Sentinel

from hotline.storage import embedded


def connect(url: str | None, instance: Path, timeout: float = 1.0) -> redis.Redis:
    """The Redis at `url` (redis://, rediss://, unix://, or redis+sentinel:// for a Sentinel
    set), or the instance's embedded server (`hotline.storage.embedded`), shared by all its
    processes. Timeouts are short: Twilio gives up after 15 s."""
    if url and url.startswith(SENTINEL_SCHEME):
        return _sentinel_master(url, timeout)
    return redis.Redis.from_url(url or embedded.url(instance), socket_timeout=timeout,
                                socket_connect_timeout=timeout, health_check_interval=30)


SENTINEL_SCHEME = "redis+sentinel://"


def _sentinel_master(url: str, timeout: float) -> redis.Redis:
    """`redis+sentinel://[:password@]host:26379,host2:26379/service[/db]`: the current master
    of `service`, found through the Sentinels and found again after a failover."""
    parts = urlsplit(url)
    hosts = []
    for item in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = item.rpartition(":")
        hosts.append((host or item, int(port) if host else 26379))
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("REDIS_URL: redis+sentinel:// needs the service name, e.g. /mymaster")
    password = unquote(parts.password) if parts.password else None
    # redis-py leaves Sentinel untyped
    sentinel = Sentinel(hosts, socket_timeout=timeout,  # type: ignore[no-untyped-call, unused-ignore]
                        socket_connect_timeout=timeout)
    master: redis.Redis = sentinel.master_for(  # type: ignore[no-untyped-call, unused-ignore]
        path[0], db=int(path[1]) if len(path) > 1 else 0, password=password, socket_timeout=timeout,
        socket_connect_timeout=timeout)
    return master
