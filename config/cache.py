"""Django's Redis cache (the rate limits' counters) with one connection pool and one client per
process, instead of one of each per request.

Django keeps its cache objects per async context (`django.core.cache.caches` is an asgiref
`Local`): under daphne every request is a new context, so every request that touched the cache
got a new `RedisCache`, a new `ConnectionPool` and therefore a new TCP connection to Redis,
with redis-py's handshake (and its `importlib.metadata` look-up of its own version). And
Django's `RedisCacheClient` builds a new `redis.Redis` client for every operation (about 170
response callbacks registered each time). Under the B2 load that was about a sixth of the
server's CPU, all of it in the patient API's rate limit (docs/benchmarks.md). Here every cache
object of the process shares the pool and the client of its server address and options:
redis-py's pool and client are thread-safe, and the pool resets itself in a forked child (it
checks its pid). Behaviour is Django's own otherwise (same keys, values, timeouts)."""

import threading
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

_shared: dict[tuple[str, str], tuple[Any, Any]] = {}  # (address, options) -> (pool, client)
_lock = threading.Lock()


class SharedRedisCacheClient(RedisCacheClient):
    def _shared(self, write: bool) -> tuple[Any, Any]:
        django: Any = self  # RedisCacheClient's own attributes, which django-stubs does not declare
        server = django._servers[django._get_connection_pool_index(write)]
        options = django._pool_options
        key = (server, repr(sorted(options.items(), key=lambda item: item[0])))
        found = _shared.get(key)
        if found is None:
            with _lock:
                found = _shared.get(key)
                if found is None:
                    pool = django._pool_class.from_url(server, **options)
                    found = _shared[key] = (pool, django._client(connection_pool=pool))
        return found

    def _get_connection_pool(self, write: bool) -> Any:
        return self._shared(write)[0]

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        return self._shared(write)[1]


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = SharedRedisCacheClient
