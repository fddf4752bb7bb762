"""DRF's scoped rate limit (`ScopedRateThrottle`: N requests per period, a sliding window per
user or address) in one Redis round trip when the cache is Redis.

DRF's throttle reads the request history (a pickled list of timestamps) from the cache, trims
it and writes it back: two round trips, the whole list (de)serialised on each request, and two
requests arriving together can both read the same history. Here a Lua script does the same on
a sorted set of timestamps, atomically, in one EVALSHA: the same window (a timestamp older
than `now - period` no longer counts), the same limit, and the same `Retry-After` (DRF's
`wait()`, from the same count and oldest timestamp). The patient's write endpoints (the
check-in is the phone's hot path, B2) use it. With any other cache (local memory in the
embedded default) it is DRF's own throttle."""

import threading
import uuid
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import ScopedRateThrottle

# KEYS[1]: the key; ARGV: now, period (s), limit, a unique member. Returns {allowed, count
# in the window including this request if allowed, oldest timestamp in the window}.
_SLIDING_WINDOW = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
local count = redis.call('ZCARD', key)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
if count >= limit then
  return {0, count, oldest}
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('EXPIRE', key, period)
return {1, count + 1, oldest or ARGV[1]}
"""
_scripts: dict[int, Any] = {}
_lock = threading.Lock()


def _script(client: Any) -> Any:
    # One Script object (it keeps the script's SHA) per client; config.cache gives one client per process.
    script = _scripts.get(id(client))
    if script is None:
        with _lock:
            script = _scripts.setdefault(id(client), client.register_script(_SLIDING_WINDOW))
    return script


class RedisScopedRateThrottle(ScopedRateThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        backend = caches["default"]
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        # ScopedRateThrottle.allow_request's set-up, then SimpleRateThrottle's test in Redis.
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        key = backend.make_and_validate_key(f"{self.key}:window")
        client = cast(Any, backend)._cache.get_client(key, write=True)  # the redis.Redis of the backend
        allowed, count, oldest = _script(client)(
            keys=[key], args=[repr(self.now), self.duration, self.num_requests, uuid.uuid4().hex], client=client
        )
        # What DRF's wait() reads: the number of requests in the window and the oldest (last).
        self.history = [float(oldest)] * int(count)
        return bool(allowed)
