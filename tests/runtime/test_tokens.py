"""TokenData (expiry, wire form, storage form, redaction) and TokenManager (single flight)."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from requestforge import (
    InMemoryTokenStorage,
    TokenData,
    TokenFetchError,
    TokenManager,
    TokenProviderInterface,
)

from tests.runtime.token_support import START, FakeClock

# -- TokenData -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [
        (3600, 3600),
        ("3600", 3600),
        (" 120 ", 120),
        ("12.5", 12.5),
        (90.0, 90),
        (None, 3600),  # present but null: the documented default lifetime
        ("soon", 3600),  # garbage: the default lifetime (and a warning)
        (True, 3600),  # a JSON boolean is not a number of seconds
        ([60], 3600),
        (0, 0),  # born expired
        (-5, 0),  # negative: expired now, never "in the past"
        ("-5", 0),
    ],
)
def test_from_response_expires_in_variants(expires_in: object, lifetime: float) -> None:
    token = TokenData.from_response({"access_token": "a", "expires_in": expires_in}, now=START)
    assert token.expires_at == START + timedelta(seconds=lifetime)


def test_from_response_without_expires_in_uses_the_documented_default() -> None:
    token = TokenData.from_response({"access_token": "a"}, now=START)
    assert token.expires_at == START + timedelta(seconds=3600)
    custom = TokenData.from_response({"access_token": "a"}, default_lifetime=60, now=START)
    assert custom.expires_at == START + timedelta(seconds=60)
    forever = TokenData.from_response({"access_token": "a"}, default_lifetime=None, now=START)
    assert forever.expires_at is None
    assert not forever.is_expired


def test_garbage_expires_in_is_logged_without_the_token(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="requestforge"):
        TokenData.from_response({"access_token": "s3cr3t-token", "expires_in": "soon"}, now=START)
    assert "unusable expires_in" in caplog.text
    assert "s3cr3t-token" not in caplog.text


def test_zero_and_negative_lifetimes_are_expired_at_once() -> None:
    for raw in (0, -5, "0"):
        token = TokenData.from_response({"access_token": "a", "expires_in": raw}, now=START)
        assert token.is_expired_within(0, START)


def test_huge_expires_in_is_clamped_not_an_overflow() -> None:
    token = TokenData.from_response({"access_token": "a", "expires_in": 10**30}, now=START)
    assert token.expires_at is not None
    assert token.expires_at - START == timedelta(days=3650)


def test_from_response_requires_an_access_token() -> None:
    for body in ({}, {"access_token": ""}, {"access_token": 42}):
        with pytest.raises(TokenFetchError, match="no access_token"):
            TokenData.from_response(body)


def test_from_response_reads_type_refresh_and_scope() -> None:
    token = TokenData.from_response(
        {"access_token": "a", "token_type": "bearer", "refresh_token": "r", "scope": ["x", "y"]}
    )
    assert (token.token_type, token.refresh_token, token.scope) == ("Bearer", "r", "x y")


def test_leeway_decides_expiry() -> None:
    token = TokenData(access_token="a", expires_at=START + timedelta(seconds=100))
    assert token.expires_in(START) == 100
    assert not token.is_expired_within(30, START)
    assert not token.is_expired_within(30, START + timedelta(seconds=69))
    assert token.is_expired_within(30, START + timedelta(seconds=70))
    assert not token.is_expired_within(0, START + timedelta(seconds=99))
    assert token.is_expired_within(0, START + timedelta(seconds=100))


def test_is_expired_uses_a_30_second_default_leeway() -> None:
    now = datetime.now(timezone.utc)
    assert TokenData(access_token="a", expires_at=now + timedelta(seconds=20)).is_expired
    assert not TokenData(access_token="a", expires_at=now + timedelta(seconds=60)).is_expired
    assert not TokenData(access_token="a").is_expired  # no expiry: never expires


def test_authorization_header_normalises_bearer() -> None:
    assert TokenData(access_token="abc").authorization_header == "Bearer abc"
    assert TokenData(access_token="abc", token_type="bearer").authorization_header == "Bearer abc"
    assert TokenData(access_token="abc", token_type="MAC").authorization_header == "MAC abc"
    assert TokenData(access_token="abc", token_type="").authorization_header == "abc"


def test_token_data_is_immutable_and_rejects_naive_datetimes() -> None:
    token = TokenData(access_token="a")
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.access_token = "b"  # type: ignore[misc]
    with pytest.raises(ValueError, match="timezone-aware"):
        TokenData(access_token="a", expires_at=datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="non-empty"):
        TokenData(access_token="")


def test_expiry_is_stored_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    token = TokenData(access_token="a", expires_at=datetime(2030, 1, 1, 14, 0, tzinfo=plus_two))
    assert token.expires_at == START
    assert token.expires_at is not None
    assert token.expires_at.tzinfo == timezone.utc


def test_dict_round_trip_is_json_safe() -> None:
    import json

    token = TokenData(
        access_token="a", token_type="Bearer", expires_at=START, refresh_token="r", scope="s"
    )
    assert TokenData.from_dict(json.loads(json.dumps(token.to_dict()))) == token
    for other in (TokenData(access_token="b"), TokenData(access_token="c", token_type="")):
        assert TokenData.from_dict(other.to_dict()) == other


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"access_token": 1},
        {"access_token": "a", "expires_at": 1234},
        {"access_token": "a", "expires_at": "yesterday"},
        {"access_token": "a", "scope": ["x"]},
    ],
)
def test_from_dict_rejects_malformed_entries(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 -- any ValueError; the storages catch them
        TokenData.from_dict(data)


def test_repr_and_str_never_show_token_values() -> None:
    token = TokenData(access_token="ACCESS-SECRET", refresh_token="REFRESH-SECRET", scope="read")
    for text in (repr(token), str(token), f"{token}", repr([token]), repr({"t": token})):
        assert "ACCESS-SECRET" not in text
        assert "REFRESH-SECRET" not in text
        assert "[REDACTED]" in text
    assert "read" in repr(token)


# -- TokenManager ----------------------------------------------------------------


class CountingProvider(TokenProviderInterface):
    """Counts fetches and refreshes; ``pause`` holds each one so callers overlap."""

    def __init__(
        self,
        *,
        pause: float = 0.05,
        lifetime: float | None = 3600,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        fail: BaseException | None = None,
    ) -> None:
        self.fetches = 0
        self.refreshes = 0
        self.pause = pause
        self.lifetime = lifetime
        self.clock = clock
        self.fail = fail
        self._lock = threading.Lock()

    def _issue(self, kind: str) -> TokenData:
        with self._lock:
            if kind == "fetch":
                self.fetches += 1
            else:
                self.refreshes += 1
            number = self.fetches + self.refreshes
        time.sleep(self.pause)
        if self.fail is not None:
            raise self.fail
        expires = None if self.lifetime is None else self.clock() + timedelta(seconds=self.lifetime)
        return TokenData(access_token=f"{kind}-{number}", expires_at=expires, refresh_token="r")

    def fetch_token(self) -> TokenData:
        return self._issue("fetch")

    def refresh_token(self, current: TokenData) -> TokenData:
        return self._issue("refresh")


def run_together(
    count: int, work: Callable[[], object]
) -> tuple[list[object], list[BaseException]]:
    """Start ``count`` threads that call ``work`` at the same moment; collect results/errors."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            result = work()
        except BaseException as error:
            with lock:
                errors.append(error)
        else:
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_concurrent_token_fetch() -> None:
    """Seed 000: 100 threads requesting a token at once cause exactly one fetch."""
    fetch_count = 0
    lock = threading.Lock()

    class SeedProvider(TokenProviderInterface):
        def fetch_token(self) -> TokenData:
            nonlocal fetch_count
            with lock:
                fetch_count += 1
            time.sleep(0.05)  # long enough that every other thread finds the cache empty
            return TokenData(access_token="token")

    token_manager = TokenManager(SeedProvider())
    results, errors = run_together(100, token_manager.get_token)

    assert errors == []
    assert fetch_count == 1
    assert len(results) == 100
    assert {token.access_token for token in results} == {"token"}  # type: ignore[attr-defined]


def test_the_concurrency_harness_detects_duplicate_fetches() -> None:
    """Without the refresh lock the same harness sees many fetches: the test above can fail."""
    provider = CountingProvider()
    storage = InMemoryTokenStorage()

    def unlocked_get_token() -> TokenData:
        token = storage.get("k")
        if token is None:
            token = provider.fetch_token()
            storage.set("k", token)
        return token

    run_together(100, unlocked_get_token)
    assert provider.fetches > 1


def test_expired_token_with_refresh_token_is_refreshed_once_by_100_threads() -> None:
    storage = InMemoryTokenStorage()
    expired = TokenData(
        access_token="old",
        expires_at=datetime.now(timezone.utc) - timedelta(seconds=5),
        refresh_token="r-old",
    )
    storage.set("token:svc", expired)
    provider = CountingProvider()
    manager = TokenManager(provider, storage, cache_key="token:svc")

    results, errors = run_together(100, manager.get_token)

    assert errors == []
    assert (provider.refreshes, provider.fetches) == (1, 0)
    assert {token.access_token for token in results} == {"refresh-1"}  # type: ignore[attr-defined]
    stored = storage.get("token:svc")
    assert stored is not None
    assert stored.access_token == "refresh-1"


def test_expired_token_without_refresh_token_is_fetched() -> None:
    storage = InMemoryTokenStorage()
    past = datetime.now(timezone.utc) - timedelta(seconds=5)
    storage.set("k", TokenData(access_token="old", expires_at=past))
    provider = CountingProvider()
    assert TokenManager(provider, storage, cache_key="k").get_token().access_token == "fetch-1"
    assert (provider.fetches, provider.refreshes) == (1, 0)


def test_valid_cached_token_is_returned_without_the_provider() -> None:
    provider = CountingProvider(pause=0)
    manager = TokenManager(provider)
    first = manager.get_token()
    for _ in range(1000):
        assert manager.get_token() is first
    assert provider.fetches == 1


def test_renewal_happens_leeway_seconds_before_expiry() -> None:
    clock = FakeClock()
    provider = CountingProvider(pause=0, lifetime=100, clock=clock)
    manager = TokenManager(provider, leeway=30, clock=clock)
    first = manager.get_token()
    clock.advance(69)
    assert manager.get_token() is first
    clock.advance(1)  # 30 s left: inside the leeway
    second = manager.get_token()
    assert second.access_token == "refresh-2"  # the token had a refresh token
    assert (provider.fetches, provider.refreshes) == (1, 1)


def test_token_born_expired_is_returned_once_per_caller_without_a_loop() -> None:
    provider = CountingProvider(lifetime=0)
    manager = TokenManager(provider)

    results, errors = run_together(50, manager.get_token)

    assert errors == []
    assert len(results) == 50
    assert provider.fetches + provider.refreshes == 1  # every waiter took the one fetched token
    later = manager.get_token()  # a later caller renews it (once), and gets it despite expiry
    assert later.access_token == "refresh-2"
    assert provider.fetches + provider.refreshes == 2


def test_failed_fetch_reaches_every_waiter_and_releases_the_lock() -> None:
    provider = CountingProvider(fail=TokenFetchError("endpoint down", status_code=503))
    manager = TokenManager(provider)

    results, errors = run_together(20, manager.get_token)

    assert results == []
    assert len(errors) == 20
    assert all(isinstance(error, TokenFetchError) for error in errors)
    assert provider.fetches == 1  # the waiters got the failure instead of asking again
    provider.fail = None
    assert manager.get_token().access_token == "fetch-2"  # the lock was released


def test_failed_refresh_leaves_the_still_valid_cached_token_alone() -> None:
    clock = FakeClock()
    storage = InMemoryTokenStorage()
    cached = TokenData(
        access_token="still-valid", expires_at=clock() + timedelta(seconds=10), refresh_token="r"
    )
    storage.set("k", cached)
    provider = CountingProvider(pause=0, fail=TokenFetchError("nope", error="server_error"))
    manager = TokenManager(provider, storage, cache_key="k", leeway=30, clock=clock)

    with pytest.raises(TokenFetchError, match="nope"):
        manager.get_token()
    assert storage.get("k") is cached


def test_waiting_for_a_stuck_renewal_gives_up_after_lock_timeout() -> None:
    release = threading.Event()

    class StuckProvider(TokenProviderInterface):
        def fetch_token(self) -> TokenData:
            release.wait(5)
            return TokenData(access_token="late")

    manager = TokenManager(StuckProvider(), lock_timeout=0.2)
    holder = threading.Thread(target=manager.get_token)
    holder.start()
    time.sleep(0.05)
    started = time.monotonic()
    with pytest.raises(TokenFetchError, match="waiting for another thread"):
        manager.get_token()
    assert 0.15 < time.monotonic() - started < 1.0
    release.set()
    holder.join()
    assert manager.get_token().access_token == "late"


def test_invalidate_compares_before_dropping() -> None:
    provider = CountingProvider(pause=0)
    manager = TokenManager(provider)
    first = manager.get_token()

    manager.invalidate("some-other-token")  # someone else's stale token: keep ours
    assert manager.get_token() is first

    manager.invalidate(first.access_token)  # ours was rejected: renew (with its refresh token)
    second = manager.get_token()
    assert second.access_token == "refresh-2"

    manager.invalidate()  # unconditional
    assert manager.get_token().access_token == "refresh-3"
    assert (provider.fetches, provider.refreshes) == (1, 2)


def test_invalidate_without_refresh_token_drops_the_entry() -> None:
    storage = InMemoryTokenStorage()

    class Plain(TokenProviderInterface):
        def fetch_token(self) -> TokenData:
            return TokenData(access_token="plain")

    manager = TokenManager(Plain(), storage)
    manager.get_token()
    assert storage.exists(manager.cache_key)
    manager.invalidate("plain")
    assert not storage.exists(manager.cache_key)


def test_invalidate_keeps_the_refresh_token() -> None:
    clock = FakeClock()
    storage = InMemoryTokenStorage()
    provider = CountingProvider(pause=0, clock=clock)
    manager = TokenManager(provider, storage, clock=clock)
    token = manager.get_token()
    manager.invalidate(token.access_token)
    stored = storage.get(manager.cache_key)
    assert stored is not None
    assert stored.refresh_token == "r"
    assert stored.is_expired_within(0, clock())


def test_cache_key_comes_from_the_service_name() -> None:
    class Named(TokenProviderInterface):
        service_name = "billing"

        def fetch_token(self) -> TokenData:
            return TokenData(access_token="a")

    assert TokenManager(Named()).cache_key == "token:billing"
    assert TokenManager(Named(), cache_key="custom").cache_key == "custom"


def test_a_storage_with_a_plain_lock_attribute_is_not_taken_for_a_lock_factory() -> None:
    class LockedStorage(InMemoryTokenStorage):
        def __init__(self) -> None:
            super().__init__()
            self.lock = threading.Lock()  # not a cross-process lock factory

    manager = TokenManager(CountingProvider(pause=0), LockedStorage())
    assert manager.get_token().access_token == "fetch-1"
    manager.invalidate()
    assert manager.get_token().access_token == "refresh-2"


def test_manager_repr_shows_no_token() -> None:
    manager = TokenManager(CountingProvider(pause=0))
    token = manager.get_token()
    assert token.access_token not in repr(manager)
