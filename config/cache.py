"""Django's Redis cache, minus a per-call cost that shows on every cached page.

Django builds a new `redis.Redis` object for every cache call, and building one fills a table
of about 170 response callbacks: a third of a millisecond per cached article, measured by
`make bench`. The client is safe to share (its connections come from the pool), so each pool
keeps one.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class LanternRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
