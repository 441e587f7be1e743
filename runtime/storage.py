"""Where tokens live between requests: process memory, Redis, or a Django cache.

A storage maps a key to a :class:`TokenData` and nothing more; *when* to renew
is the token manager's business.  Shared storages write JSON (never pickle: a
storage that other processes can write to must not be able to run code in
ours) and give each entry a TTL derived from the token's expiry, so abandoned
tokens clean themselves up.

Third-party modules (``redis``, ``django``) are imported only when such a
storage is created: the runtime is vendored into generated clients that may
have neither installed.

A storage may also offer cross-process mutual exclusion through an optional
``lock(key, ttl)`` method returning a :class:`StorageLock`.  The token manager
looks for it with ``getattr`` (never ``isinstance``: a storage written against
the installed ``requestforge`` must work with any vendored copy).
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote

from .errors import TokenStorageError
from .redaction import redact_url
from .tokens import TokenData, utcnow

if TYPE_CHECKING:
    import redis

__all__ = [
    "DjangoCacheTokenStorage",
    "InMemoryTokenStorage",
    "RedisLock",
    "RedisTokenStorage",
    "StorageLock",
    "TokenStorage",
    "TokenStorageInterface",
]

_LOGGER = logging.getLogger("requestforge.storage")

DEFAULT_KEY_PREFIX = "requestforge:"
DEFAULT_REFRESH_TOKEN_TTL = 30 * 24 * 3600.0
"""How long an entry that carries a refresh token outlives its access token.

OAuth servers rarely say how long a refresh token lives; dropping the entry
when the access token expires would throw away the means to refresh it."""

_KEY_SAFE = ":/@[]+-_.~"
_MAX_KEY = 200  # leaves room for Django's ":<version>:" and a backend prefix
_URL_IN_TEXT = re.compile(r"(?:rediss?|unix|https?)://[^\s'\")]+")


class TokenStorage(Protocol):
    """What the runtime needs from a token storage (``TokenStorageInterface`` has it)."""

    def get(self, key: str) -> TokenData | None: ...

    def set(self, key: str, token: TokenData) -> None: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class StorageLock(Protocol):
    """A cross-process lock handle from a storage's optional ``lock(key, ttl)``.

    ``acquire`` never blocks: it returns False when someone else holds the lock.
    The lock expires on its own after its TTL, so a holder that dies cannot
    block everyone forever; ``release`` only releases a lock this handle owns.
    """

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class TokenStorageInterface(ABC):
    """Base class for token storages (see :class:`TokenStorage`)."""

    @abstractmethod
    def get(self, key: str) -> TokenData | None:
        """The token stored under ``key``, or None."""

    @abstractmethod
    def set(self, key: str, token: TokenData) -> None:
        """Store ``token`` under ``key``, replacing any previous one."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key`` (no error if it is absent)."""

    def exists(self, key: str) -> bool:
        """True if a token is stored under ``key``."""
        return self.get(key) is not None


def _ttl_seconds(token: TokenData, refresh_token_ttl: float | None, now: datetime) -> float | None:
    """How long a storage entry for ``token`` should live; None: no expiry.

    At least one second, so a token born expired is still visible to the
    processes waiting for it (they then decide to renew it themselves).
    """
    remaining = token.expires_in(now)
    if remaining is None:
        return None
    if token.refresh_token:
        if refresh_token_ttl is None:
            return None
        remaining = max(remaining, 0.0) + refresh_token_ttl
    return max(remaining, 1.0)


def _decode(raw: object, where: str) -> TokenData | None:
    """A token from a stored JSON document; a corrupt entry counts as absent (and is logged)."""
    try:
        if isinstance(raw, (bytes, bytearray)):
            raw = raw.decode("utf-8")
        data = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        return TokenData.from_dict(cast("dict[str, Any]", data))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        _LOGGER.warning("ignoring a malformed token entry in %s (%s)", where, type(exc).__name__)
        return None


def _scrub(text: str) -> str:
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group(0)), text)


class InMemoryTokenStorage(TokenStorageInterface):
    """Tokens in a dict, writes behind an ``RLock`` (seed 000): one process only, lost on restart.

    Entries never expire here; the token manager decides by ``expires_at``.
    ``get`` takes no lock: it is one ``dict.get``, atomic in CPython (and
    internally locked on free-threaded builds), and it is the hot path of
    every authenticated request -- under 16 threads the lock halved
    ``TokenManager.get_token()`` throughput (issue 8, benchmarks/throughput.py).
    Writers still serialise on the lock, as the seed describes.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, TokenData] = {}
        self._lock = threading.RLock()

    def get(self, key: str) -> TokenData | None:
        return self._tokens.get(key)

    def set(self, key: str, token: TokenData) -> None:
        with self._lock:
            self._tokens[key] = token

    def delete(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)

    def exists(self, key: str) -> bool:
        with self._lock:
            return key in self._tokens

    def __repr__(self) -> str:
        with self._lock:
            return f"InMemoryTokenStorage(keys={sorted(self._tokens)!r})"


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLock:
    """``SET key owner NX PX ttl``; released by its owner only (compare-and-delete in Lua).

    The owner is a random value per handle, so a holder whose lock expired
    (and was taken by someone else) cannot release the new holder's lock.
    """

    def __init__(
        self,
        client: redis.Redis,
        key: str,
        ttl: float,
        release_script: Callable[..., Any],
        wrap: Callable[[str, BaseException], TokenStorageError],
    ) -> None:
        self.key = key
        self.ttl = ttl
        self._client = client
        self._owner = secrets.token_hex(16)
        self._release_script = release_script
        self._wrap = wrap

    def acquire(self) -> bool:
        """Take the lock if it is free; never blocks."""
        try:
            return bool(
                self._client.set(self.key, self._owner, nx=True, px=max(1, int(self.ttl * 1000)))
            )
        except Exception as exc:
            raise self._wrap("lock", exc) from exc

    def release(self) -> None:
        """Release the lock if this handle still owns it."""
        try:
            self._release_script(keys=[self.key], args=[self._owner])
        except Exception as exc:
            raise self._wrap("unlock", exc) from exc

    def __repr__(self) -> str:
        return f"RedisLock(key={self.key!r}, ttl={self.ttl!r})"


class RedisTokenStorage(TokenStorageInterface):
    """Tokens as JSON in Redis, shared by every process; offers a cross-process ``lock``.

    ``client`` is a ``redis.Redis`` or a URL (``redis://[:password@]host:port/db``).
    Keys are ``key_prefix + key``.  Entries expire with their token, or
    ``refresh_token_ttl`` seconds later when they carry a refresh token (None:
    such entries never expire).  Every Redis failure is raised as
    :class:`TokenStorageError` naming the operation and the (redacted) server.
    """

    def __init__(
        self,
        client: redis.Redis | str,
        *,
        key_prefix: str = DEFAULT_KEY_PREFIX,
        refresh_token_ttl: float | None = DEFAULT_REFRESH_TOKEN_TTL,
        socket_timeout: float = 2.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        try:
            redis_module: Any = importlib.import_module("redis")
        except ImportError as exc:
            raise TokenStorageError(
                "RedisTokenStorage needs the 'redis' package (pip install redis)"
            ) from exc
        connection: redis.Redis
        if isinstance(client, str):
            self._where = redact_url(client)
            try:
                connection = redis_module.Redis.from_url(
                    client, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
                )
            except ValueError as exc:
                raise TokenStorageError(f"invalid Redis URL {self._where!r}") from exc
        else:
            connection = client
            self._where = self._describe(client)
        self._client = connection
        self._key_prefix = key_prefix
        self._refresh_token_ttl = refresh_token_ttl
        self._clock = clock
        self._release = connection.register_script(_RELEASE_SCRIPT)

    @staticmethod
    def _describe(client: Any) -> str:
        kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
        host, port, db = kwargs.get("host"), kwargs.get("port"), kwargs.get("db", 0)
        if host is None:
            return "redis"
        return f"redis://{host}:{port}/{db}"

    @property
    def client(self) -> redis.Redis:
        """The underlying ``redis.Redis`` client."""
        return self._client

    def key_for(self, key: str) -> str:
        """The Redis key a storage key maps to."""
        return f"{self._key_prefix}{key}"

    def _error(self, operation: str, exc: BaseException) -> TokenStorageError:
        reason = _scrub(str(exc)) or type(exc).__name__
        return TokenStorageError(
            f"Redis token storage at {self._where} failed during {operation}: "
            f"{type(exc).__name__}: {reason}"
        )

    def get(self, key: str) -> TokenData | None:
        try:
            raw = self._client.get(self.key_for(key))
        except Exception as exc:
            raise self._error("get", exc) from exc
        if raw is None:
            return None
        return _decode(raw, f"Redis key {self.key_for(key)!r}")

    def set(self, key: str, token: TokenData) -> None:
        ttl = _ttl_seconds(token, self._refresh_token_ttl, self._clock())
        payload = json.dumps(token.to_dict(), separators=(",", ":"))
        try:
            if ttl is None:
                self._client.set(self.key_for(key), payload)
            else:
                self._client.set(self.key_for(key), payload, px=max(1, math.ceil(ttl * 1000)))
        except Exception as exc:
            raise self._error("set", exc) from exc

    def delete(self, key: str) -> None:
        try:
            self._client.delete(self.key_for(key))
        except Exception as exc:
            raise self._error("delete", exc) from exc

    def exists(self, key: str) -> bool:
        try:
            return bool(self._client.exists(self.key_for(key)))
        except Exception as exc:
            raise self._error("exists", exc) from exc

    def lock(self, key: str, ttl: float) -> RedisLock:
        """A lock handle on ``key`` that expires ``ttl`` seconds after it is taken."""
        return RedisLock(self._client, self.key_for(key), ttl, self._release, self._error)

    def __repr__(self) -> str:
        return f"RedisTokenStorage({self._where!r}, key_prefix={self._key_prefix!r})"


class DjangoCacheTokenStorage(TokenStorageInterface):
    """Tokens in a Django cache (seed 000): process-shared with a Redis/Memcached backend.

    Entries are JSON-safe dicts (whatever the backend's serializer, no token
    object is ever unpickled) with a timeout derived from the token's expiry.
    Django is imported on first use, so creating the storage does not require
    configured settings.  Backend failures raise :class:`TokenStorageError`.
    """

    def __init__(
        self,
        cache_alias: str = "default",
        key_prefix: str = DEFAULT_KEY_PREFIX,
        *,
        refresh_token_ttl: float | None = DEFAULT_REFRESH_TOKEN_TTL,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._cache_alias = cache_alias
        self._key_prefix = key_prefix
        self._refresh_token_ttl = refresh_token_ttl
        self._clock = clock

    def _cache(self) -> Any:
        try:
            caches = importlib.import_module("django.core.cache").caches
            return caches[self._cache_alias]
        except ImportError as exc:
            raise TokenStorageError(
                "DjangoCacheTokenStorage needs Django (pip install Django)"
            ) from exc
        except Exception as exc:  # InvalidCacheBackendError, ImproperlyConfigured
            raise self._error("open", exc) from exc

    def _make_key(self, key: str) -> str:
        # Portable across backends: memcached refuses spaces, control characters
        # and keys over 250 bytes (Django warns about them on every backend).
        full = quote(f"{self._key_prefix}{key}", safe=_KEY_SAFE)
        if len(full) > _MAX_KEY:
            # hashlib loads OpenSSL (~4 ms): only keys over the length limit need it.
            sha256 = importlib.import_module("hashlib").sha256
            full = f"{self._key_prefix}sha256:{sha256(full.encode()).hexdigest()}"
        return full

    def _error(self, operation: str, exc: BaseException) -> TokenStorageError:
        reason = _scrub(str(exc)) or type(exc).__name__
        return TokenStorageError(
            f"Django cache {self._cache_alias!r} failed during {operation}: "
            f"{type(exc).__name__}: {reason}"
        )

    def cache_key(self, key: str) -> str:
        """The key handed to the Django cache for storage key ``key``."""
        return self._make_key(key)

    def get(self, key: str) -> TokenData | None:
        cache = self._cache()
        try:
            raw = cache.get(self._make_key(key))
        except Exception as exc:
            raise self._error("get", exc) from exc
        if raw is None:
            return None
        return _decode(raw, f"Django cache {self._cache_alias!r}")

    def set(self, key: str, token: TokenData) -> None:
        cache = self._cache()
        ttl = _ttl_seconds(token, self._refresh_token_ttl, self._clock())
        timeout = None if ttl is None else max(1, math.ceil(ttl))
        try:
            cache.set(self._make_key(key), token.to_dict(), timeout=timeout)
        except Exception as exc:
            raise self._error("set", exc) from exc

    def delete(self, key: str) -> None:
        cache = self._cache()
        try:
            cache.delete(self._make_key(key))
        except Exception as exc:
            raise self._error("delete", exc) from exc

    def exists(self, key: str) -> bool:
        cache = self._cache()
        try:
            return bool(cache.has_key(self._make_key(key)))
        except Exception as exc:
            raise self._error("exists", exc) from exc

    def __repr__(self) -> str:
        return (
            f"DjangoCacheTokenStorage(cache_alias={self._cache_alias!r}, "
            f"key_prefix={self._key_prefix!r})"
        )
