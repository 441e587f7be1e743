"""Token storages: in memory, real Redis, and a really configured Django cache (LocMem, Redis)."""

from __future__ import annotations

import json
import logging
import pickle
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from requestforge import (
    DjangoCacheTokenStorage,
    InMemoryTokenStorage,
    RedisTokenStorage,
    TokenData,
    TokenManager,
    TokenProviderInterface,
    TokenStorageError,
)

from tests.runtime.token_support import FakeClock

DAY = 86400.0
DJANGO_REDIS_LOCATION = "redis://127.0.0.1:6379/13"  # the redis_url fixture's database


def token(clock: FakeClock, seconds: float | None = 100, refresh: str | None = None) -> TokenData:
    expires = None if seconds is None else clock() + timedelta(seconds=seconds)
    return TokenData(access_token="at-value", expires_at=expires, refresh_token=refresh, scope="s")


# -- in memory -----------------------------------------------------------------------


def test_in_memory_storage_basics() -> None:
    storage = InMemoryTokenStorage()
    stored = TokenData(access_token="a")
    assert storage.get("k") is None
    assert not storage.exists("k")
    storage.set("k", stored)
    assert storage.get("k") is stored
    assert storage.exists("k")
    storage.delete("k")
    storage.delete("k")  # absent: no error
    assert storage.get("k") is None
    assert "at-value" not in repr(storage)


def test_in_memory_storage_under_concurrent_writers() -> None:
    storage = InMemoryTokenStorage()
    barrier = threading.Barrier(16)

    def writer(n: int) -> None:
        barrier.wait()
        for i in range(200):
            storage.set(f"{n}-{i}", TokenData(access_token=f"{n}-{i}"))
            assert storage.get(f"{n}-{i}") is not None

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(storage.exists(f"{n}-{i}") for n in range(16) for i in range(200)) == 3200


# -- Redis ---------------------------------------------------------------------------


@pytest.fixture
def raw_redis(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.mark.redis
def test_redis_round_trip_is_prefixed_json(redis_url: str, raw_redis: redis.Redis) -> None:
    clock = FakeClock()
    storage = RedisTokenStorage(redis_url, key_prefix="app:", clock=clock)
    stored = token(clock, refresh="rt-value")
    storage.set("svc", stored)

    assert storage.get("svc") == stored
    assert storage.exists("svc")
    raw = raw_redis.get("app:svc")
    assert raw is not None
    assert json.loads(raw) == stored.to_dict()  # JSON, readable by any language; never pickle
    assert RedisTokenStorage(redis_url, key_prefix="other:").get("svc") is None

    storage.delete("svc")
    assert not storage.exists("svc")
    assert raw_redis.get("app:svc") is None


@pytest.mark.redis
def test_redis_ttl_follows_the_token(redis_url: str, raw_redis: redis.Redis) -> None:
    clock = FakeClock()
    storage = RedisTokenStorage(redis_url, clock=clock, refresh_token_ttl=DAY)

    def ttl(key: str) -> float:
        return float(raw_redis.pttl(storage.key_for(key))) / 1000

    storage.set("plain", token(clock, 100))
    assert 99 < ttl("plain") <= 100
    storage.set("refreshable", token(clock, 100, refresh="rt"))
    assert 100 + DAY - 1 < ttl("refreshable") <= 100 + DAY  # keeps the means to refresh
    storage.set("eternal", token(clock, None))
    assert ttl("eternal") == -0.001  # PTTL -1: no expiry
    storage.set("born-expired", token(clock, -50))
    assert 0 < ttl("born-expired") <= 1  # still visible to the processes waiting for it

    forever = RedisTokenStorage(redis_url, clock=clock, refresh_token_ttl=None)
    forever.set("refreshable", token(clock, 100, refresh="rt"))
    assert ttl("refreshable") == -0.001


@pytest.mark.redis
def test_redis_ignores_malformed_and_pickled_entries(
    redis_url: str, raw_redis: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    storage = RedisTokenStorage(redis_url)
    raw_redis.set(storage.key_for("garbage"), b"{not json")
    raw_redis.set(storage.key_for("pickled"), pickle.dumps(TokenData(access_token="p")))
    raw_redis.set(storage.key_for("wrong-shape"), json.dumps({"access_token": 7}))
    with caplog.at_level(logging.WARNING, logger="requestforge"):
        assert storage.get("garbage") is None
        assert storage.get("pickled") is None  # never unpickled
        assert storage.get("wrong-shape") is None
    assert caplog.text.count("malformed token entry") == 3


@pytest.mark.redis
def test_redis_accepts_a_client_with_decoded_responses(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    storage = RedisTokenStorage(client)
    storage.set("k", TokenData(access_token="a"))
    assert storage.get("k") == TokenData(access_token="a")
    assert storage.client is client
    assert "127.0.0.1:6379/13" in repr(storage)


@pytest.mark.redis
def test_redis_lock_is_exclusive_owned_and_expires(redis_url: str, raw_redis: redis.Redis) -> None:
    storage = RedisTokenStorage(redis_url)
    first = storage.lock("job", ttl=0.3)
    second = storage.lock("job", ttl=5)

    assert first.acquire()
    assert not second.acquire()
    assert 0 < raw_redis.pttl(storage.key_for("job")) <= 300
    second.release()  # not the owner: must not release
    assert raw_redis.exists(storage.key_for("job"))

    time.sleep(0.35)  # the holder "died": its lock expires on its own
    assert second.acquire()
    first.release()  # the old holder comes back late: the new holder's lock stays
    assert raw_redis.exists(storage.key_for("job"))
    second.release()
    assert not raw_redis.exists(storage.key_for("job"))


def test_redis_unreachable_is_a_clear_storage_error() -> None:
    storage = RedisTokenStorage("redis://:hunter2-redis-pw@127.0.0.1:1/0")
    assert "hunter2-redis-pw" not in repr(storage)
    for operation, call in [
        ("get", lambda: storage.get("k")),
        ("set", lambda: storage.set("k", TokenData(access_token="a"))),
        ("delete", lambda: storage.delete("k")),
        ("exists", lambda: storage.exists("k")),
        ("lock", lambda: storage.lock("k", 1).acquire()),
    ]:
        started = time.monotonic()
        with pytest.raises(TokenStorageError) as caught:
            call()
        assert time.monotonic() - started < 1.0
        message = str(caught.value)
        assert f"during {operation}" in message
        assert "127.0.0.1:1" in message
        assert "ConnectionError" in message
        assert "hunter2-redis-pw" not in message


def test_token_manager_surfaces_an_unreachable_redis() -> None:
    class Provider(TokenProviderInterface):
        def fetch_token(self) -> TokenData:
            return TokenData(access_token="a")

    manager = TokenManager(Provider(), RedisTokenStorage("redis://127.0.0.1:1/0"))
    with pytest.raises(TokenStorageError, match=r"Redis token storage at redis://127\.0\.0\.1:1/0"):
        manager.get_token()


def test_redis_bad_url() -> None:
    with pytest.raises(TokenStorageError, match="invalid Redis URL"):
        RedisTokenStorage("http://not-redis:6379")


# -- Django cache ----------------------------------------------------------------------


def configure_django() -> None:
    """Real Django settings, configured once per test process."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            USE_TZ=True,
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                    "LOCATION": "requestforge-tests",
                },
                "redis": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": DJANGO_REDIS_LOCATION,
                },
                "unreachable": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": "redis://127.0.0.1:1/0",
                },
            },
        )
        django.setup()
    assert {"default", "redis", "unreachable"} <= set(settings.CACHES), "Django set up elsewhere"


@pytest.fixture
def django_caches() -> Iterator[None]:
    configure_django()
    from django.core.cache import caches

    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.mark.usefixtures("django_caches")
def test_django_locmem_round_trip_stores_plain_dicts() -> None:
    from django.core.cache import caches

    clock = FakeClock()
    storage = DjangoCacheTokenStorage(clock=clock)
    stored = token(clock, 100, refresh="rt")
    storage.set("svc", stored)

    assert storage.get("svc") == stored
    assert storage.exists("svc")
    raw = caches["default"].get(storage.cache_key("svc"))
    assert raw == stored.to_dict()
    assert json.loads(json.dumps(raw)) == raw  # JSON-safe: no token object is ever pickled
    storage.delete("svc")
    assert not storage.exists("svc")
    assert storage.get("svc") is None


@pytest.mark.usefixtures("django_caches")
def test_django_locmem_timeout_follows_the_token() -> None:
    from django.core.cache import caches

    cache = caches["default"]
    clock = FakeClock()
    storage = DjangoCacheTokenStorage(key_prefix="t:", clock=clock, refresh_token_ttl=None)
    storage.set("plain", token(clock, 100))
    storage.set("eternal", token(clock, None))
    storage.set("refreshable", token(clock, 100, refresh="rt"))

    def remaining(key: str) -> float | None:
        expiry = cache._expire_info[cache.make_key(storage.cache_key(key))]  # type: ignore[attr-defined]
        return None if expiry is None else expiry - time.time()

    plain = remaining("plain")
    assert plain is not None
    assert 99 < plain <= 100
    assert remaining("eternal") is None
    assert remaining("refreshable") is None


@pytest.mark.usefixtures("django_caches")
def test_django_keys_are_portable() -> None:
    storage = DjangoCacheTokenStorage(key_prefix="rf:")
    with_spaces = storage.cache_key("token:client_credentials:c@host/token[read write]")
    assert " " not in with_spaces
    assert with_spaces.startswith("rf:token:client_credentials:c@host/token[read")
    long_key = storage.cache_key("x" * 500)
    assert len(long_key) < 250
    storage.set("x" * 500, TokenData(access_token="a"))
    assert storage.get("x" * 500) == TokenData(access_token="a")


@pytest.mark.redis
@pytest.mark.usefixtures("django_caches")
def test_django_redis_backend_shares_tokens_with_ttl(redis_url: str) -> None:
    from django.core.cache import caches

    assert redis_url == DJANGO_REDIS_LOCATION
    clock = FakeClock()
    writer = DjangoCacheTokenStorage("redis", key_prefix="dj:", clock=clock)
    reader = DjangoCacheTokenStorage("redis", key_prefix="dj:")
    stored = token(clock, 300)
    writer.set("svc", stored)

    assert reader.get("svc") == stored
    assert reader.exists("svc")
    raw = redis.Redis.from_url(redis_url)
    key = caches["redis"].make_and_validate_key(writer.cache_key("svc"))
    assert 299 < raw.pttl(key) / 1000 <= 300
    reader.delete("svc")
    assert not writer.exists("svc")
    raw.close()


@pytest.mark.usefixtures("django_caches")
def test_django_failures_are_storage_errors() -> None:
    unreachable = DjangoCacheTokenStorage("unreachable")
    with pytest.raises(TokenStorageError, match=r"'unreachable' failed during get: Connection"):
        unreachable.get("k")
    with pytest.raises(TokenStorageError, match="during set"):
        unreachable.set("k", TokenData(access_token="a"))
    with pytest.raises(TokenStorageError, match="'missing' failed during open"):
        DjangoCacheTokenStorage("missing").get("k")


@pytest.mark.usefixtures("django_caches")
def test_token_manager_on_django_cache() -> None:
    calls = []

    class Provider(TokenProviderInterface):
        def fetch_token(self) -> TokenData:
            calls.append(1)
            return TokenData(access_token=f"a{len(calls)}")

    storage = DjangoCacheTokenStorage()
    first = TokenManager(Provider(), storage, cache_key="shared")
    second = TokenManager(Provider(), storage, cache_key="shared")
    assert first.get_token() == second.get_token()
    assert len(calls) == 1
