"""Django's Redis cache, minus a per-call cost that shows on every cached page.

Django builds a new `redis.Redis` object for every cache call, and building one fills a table
of about 170 response callbacks: a third of a millisecond per cached article, measured by
`make bench`. The client is safe to share (its connections come from the pool), so each pool
keeps one. It also skips a server that failed a moment ago (config.outage).
"""

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from . import outage


class WatchedRedis(redis.Redis):
    """A client that gives up at once on a server that failed a moment ago (see config.outage)."""

    server_url = ""

    def execute_command(self, *args, **options):
        if outage.is_down(self.server_url):
            raise redis.ConnectionError("skipped: this Redis failed a moment ago")
        try:
            return super().execute_command(*args, **options)
        except (redis.ConnectionError, redis.TimeoutError):
            outage.mark_down(self.server_url)
            raise


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = WatchedRedis(connection_pool=pool)
            where = pool.connection_kwargs
            client.server_url = f"redis://{where.get('host', where.get('path'))}:{where.get('port', '')}"
        return client


class LanternRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
