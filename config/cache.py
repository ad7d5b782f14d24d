"""Django's Redis cache, keeping its Redis client.

Django's client makes a new ``redis.Redis`` for every operation; building one
(its table of reply parsers) cost more than a GET over a warm connection, and
every signed-in request reads its session from the cache. One client per
server is kept instead: a ``redis.Redis`` is safe to share, and its pool of
connections is the one Django would have used anyway.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClient
