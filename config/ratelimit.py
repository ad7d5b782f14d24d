"""Fixed-window rate limits counted in the cache with atomic increments.

DRF's throttles read, change and write a list of timestamps, which lets
parallel requests slip through; ``cache.incr`` is one atomic command on Redis,
so a limit holds however many requests arrive at once.
"""

import logging
import time
from collections.abc import Sequence
from functools import cache as once

import redis
from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest
from redis import RedisError

logger = logging.getLogger(__name__)


def _hits(key: str, window: int) -> int:
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        return 1


@once
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


# One round trip and one command for all counters: each key is created with
# its window's expiry if new, then incremented; the counts come back in order.
COUNT_HITS = """
local counts = {}
for index, key in ipairs(KEYS) do
    redis.call('SET', key, 0, 'EX', ARGV[index], 'NX')
    counts[index] = redis.call('INCR', key)
end
return counts
"""


@once
def _count_hits(url: str):
    return _redis(url).register_script(COUNT_HITS)


def allow_all(checks: Sequence[tuple[str, int, int]]) -> bool:
    """Counts one hit on each ``(key, limit, window)``; False if any is past its
    limit. On Redis all counters move in one command (a script, run atomically);
    elsewhere each goes through the cache."""
    if not settings.REDIS_URL:
        # Every counter counts the hit, even past the first refusal.
        allowed = [_counted(key, limit, window) for key, limit, window in checks]
        return all(allowed)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    now = time.time()
    keys = [f"{prefix}:ratelimit:{key}:{int(now // window)}" for key, _limit, window in checks]
    try:
        counts = _count_hits(settings.REDIS_URL)(
            keys=keys, args=[window + 1 for _key, _limit, window in checks]
        )
    except (RedisError, OSError):
        logger.warning("Rate limits not counted: Redis is unreachable", exc_info=True)
        return True
    return all(count <= limit for count, (_key, limit, _window) in zip(counts, checks, strict=True))


def allow(*, key: str, limit: int, window: int) -> bool:
    """Counts one hit for ``key``; False once more than ``limit`` fell in the window.

    With the cache unreachable the request is let through (and logged): a
    Redis outage must never cost a citizen their comment or vote."""
    return allow_all([(key, limit, window)])


# Takes up to ARGV[2] of what is left of a window's limit ARGV[3]; answers
# how many it took (the counter never goes past the limit).
TAKE = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
local used = tonumber(redis.call('GET', KEYS[1]))
local taken = math.max(0, math.min(tonumber(ARGV[2]), tonumber(ARGV[3]) - used))
if taken > 0 then redis.call('INCRBY', KEYS[1], taken) end
return taken
"""


@once
def _take_script(url: str):
    return _redis(url).register_script(TAKE)


def take(*, key: str, wanted: int, limit: int, window: int) -> int:
    """Reserves up to ``wanted`` of what is left of ``limit`` in the current
    fixed window (atomically, across processes) and answers how many it got:
    a sender asks for a batch and sends only what it got. With Redis
    unreachable everything asked for is granted (and logged)."""
    if wanted <= 0:
        return 0
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    if not settings.REDIS_URL:
        cache.add(bucket, 0, timeout=window + 1)
        used = cache.incr(bucket, wanted)
        taken = max(0, min(wanted, limit - (used - wanted)))
        if taken < wanted:
            cache.decr(bucket, wanted - taken)
        return taken
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    try:
        return int(
            _take_script(settings.REDIS_URL)(
                keys=[f"{prefix}:{bucket}"], args=[window + 1, wanted, limit]
            )
        )
    except (RedisError, OSError):
        logger.warning("Rate limit %s not counted: Redis is unreachable", key, exc_info=True)
        return wanted


def seconds_left(window: int) -> int:
    """Seconds until the current fixed window ends."""
    return max(1, int(window - time.time() % window) + 1)


def _counted(key: str, limit: int, window: int) -> bool:
    try:
        return _hits(key, window) <= limit
    except (RedisError, OSError):
        logger.warning("Rate limit %s not counted: the cache is unreachable", key, exc_info=True)
        return True


def client_address(request: HttpRequest) -> str:
    """The visitor's address, read through ``TRUSTED_PROXY_COUNT`` proxies as
    allauth reads it for sign-in limits; the socket address when the header
    does not fit."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (ImproperlyConfigured, PermissionDenied):
        return request.META.get("REMOTE_ADDR", "")
