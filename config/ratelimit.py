"""Fixed-window rate limits counted in the cache with atomic increments.

DRF's throttles read, change and write a list of timestamps, which lets
parallel requests slip through; ``cache.incr`` is one atomic command on Redis,
so a limit holds however many requests arrive at once.
"""

import time

from django.core.cache import cache


def _hits(key: str, window: int) -> int:
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        return 1


def allow(*, key: str, limit: int, window: int) -> bool:
    """Counts one hit for ``key``; False once more than ``limit`` fell in the window."""
    return _hits(key, window) <= limit
