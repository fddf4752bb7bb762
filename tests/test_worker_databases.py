"""`make test`'s pytest-xdist workers each use their own Redis database (config/settings/test.py)."""

from config.settings.test import _worker_redis_url


def test_each_worker_gets_its_own_redis_database_next_to_the_given_one():
    assert _worker_redis_url("redis://127.0.0.1:6379/14", 0) == "redis://127.0.0.1:6379/14"
    assert _worker_redis_url("redis://127.0.0.1:6379/14", 1) == "redis://127.0.0.1:6379/15"
    # Redis has 16 databases: the numbers wrap instead of naming one that does not exist.
    assert _worker_redis_url("redis://127.0.0.1:6379/15", 1) == "redis://127.0.0.1:6379/0"
    # No database in the URL is database 0; the host, port and password are kept.
    assert _worker_redis_url("redis://:secret@redis.local:6380", 2) == "redis://:secret@redis.local:6380/2"
