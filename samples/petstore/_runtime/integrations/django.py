"""Django: request-id middleware and generated clients built from settings.

::

    MIDDLEWARE = ["requestforge.integrations.django.RequestIdMiddleware", ...]
    REQUESTFORGE = {
        "REQUEST_ID_HEADER": "X-Request-ID",
        "CLIENTS": {"default": {"BASE_URL": "https://api.example.com",
                                "CREDENTIALS": {"client_id": "...", "client_secret": "..."},
                                "TIMEOUT": 10, "HEADERS": {}, "TOKEN_CACHE": "default"}},
    }
    client = client_from_settings(Client)        # in a view: one per process, thread-safe

Django is loaded with ``importlib`` and its objects are typed structurally, so
this module type-checks (and imports) without Django's stubs; importing it does
not import Django until the middleware or a client is created.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, TypeVar, cast

from ..config import check_header
from ..context import (
    DEFAULT_CORRELATION_HEADER,
    correlation_id_scope,
    request_id_or_new,
    request_metadata_scope,
)
from ..errors import ConfigurationError
from ..storage import DjangoCacheTokenStorage

__all__ = ["RequestIdMiddleware", "client_from_settings", "reset_clients"]

SETTING = "REQUESTFORGE"
_CLIENT_KEYS = frozenset({"BASE_URL", "CREDENTIALS", "TIMEOUT", "HEADERS", "TOKEN_CACHE"})


class _Closeable(Protocol):
    def close(self) -> None: ...


C = TypeVar("C", bound=_Closeable)


def _settings() -> Mapping[str, Any]:
    """``settings.REQUESTFORGE`` (empty when unset)."""
    settings = importlib.import_module("django.conf").settings
    value = cast(object, getattr(settings, SETTING, None) or {})
    if not isinstance(value, Mapping):
        raise ConfigurationError(SETTING, f"must be a dict, got {type(value).__name__}")
    return cast("Mapping[str, Any]", value)


# -- the middleware --------------------------------------------------------------------


class RequestIdMiddleware:
    """Runs each request with its id as the correlation id; echoes it on the response.

    The id comes from ``REQUESTFORGE["REQUEST_ID_HEADER"]`` (``X-Request-ID``)
    when it is acceptable (:func:`~requestforge.context.is_valid_request_id`:
    it is untrusted input that outgoing calls repeat), else a new uuid4 hex.
    Sync and async capable: under ASGI Django calls the async path and no
    thread hop is added.  Calls made while a *streaming* response is consumed
    happen after the view returned and carry no id.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.header: str = _settings().get("REQUEST_ID_HEADER", DEFAULT_CORRELATION_HEADER)
        check_header(self.header, "", f'{SETTING}["REQUEST_ID_HEADER"]')
        self._meta_key = "HTTP_" + self.header.upper().replace("-", "_")
        asgiref_sync = importlib.import_module("asgiref.sync")
        self._is_async: bool = asgiref_sync.iscoroutinefunction(get_response)
        if self._is_async:
            # Tells Django (and asgiref) that calling this instance returns a coroutine.
            asgiref_sync.markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if self._is_async:
            return self._acall(request)
        request_id = request_id_or_new(request.META.get(self._meta_key))
        with (
            correlation_id_scope(request_id),
            request_metadata_scope(method=request.method, path=request.path),
        ):
            response = self.get_response(request)
        response[self.header] = request_id
        return response

    async def _acall(self, request: Any) -> Any:
        request_id = request_id_or_new(request.META.get(self._meta_key))
        get_response: Callable[[Any], Awaitable[Any]] = self.get_response
        with (
            correlation_id_scope(request_id),
            request_metadata_scope(method=request.method, path=request.path),
        ):
            response = await get_response(request)
        response[self.header] = request_id
        return response


# -- clients from settings -----------------------------------------------------------

_clients: dict[tuple[Callable[..., Any], str], Any] = {}
_clients_lock = threading.Lock()
_signal_connected = False


def _client_settings(name: str) -> Mapping[str, Any]:
    clients = cast("Mapping[str, object]", _settings().get("CLIENTS") or {})
    entry = clients.get(name)
    where = f'{SETTING}["CLIENTS"][{name!r}]'
    if not isinstance(entry, Mapping):
        raise ConfigurationError(where, "is not configured" if entry is None else "must be a dict")
    configured = cast("Mapping[str, Any]", entry)
    unknown = set(configured) - _CLIENT_KEYS
    if unknown:  # a typo would otherwise silently drop a setting
        raise ConfigurationError(where, f"unknown keys {sorted(unknown)}")
    return configured


def _build(client_class: Callable[..., C], name: str) -> C:
    entry = _client_settings(name)
    kwargs: dict[str, Any] = dict(entry.get("CREDENTIALS") or {})
    if entry.get("BASE_URL") is not None:
        kwargs["base_url"] = entry["BASE_URL"]
    if entry.get("TIMEOUT") is not None:
        kwargs["timeout"] = entry["TIMEOUT"]
    if entry.get("HEADERS"):
        kwargs["headers"] = dict(entry["HEADERS"])
    if entry.get("TOKEN_CACHE") is not None:
        kwargs["token_storage"] = DjangoCacheTokenStorage(entry["TOKEN_CACHE"])
    return client_class(**kwargs)


def _on_setting_changed(*, setting: str, **_kwargs: Any) -> None:
    if setting == SETTING:
        reset_clients()


def _connect_signal() -> None:
    """Reset the clients when tests override ``REQUESTFORGE`` (connected once per copy)."""
    global _signal_connected  # noqa: PLW0603 - one process-wide flag, set under the lock
    if not _signal_connected:
        signal = importlib.import_module("django.core.signals").setting_changed
        signal.connect(_on_setting_changed, weak=False, dispatch_uid=f"{__name__}.reset")
        _signal_connected = True


def client_from_settings(client_class: Callable[..., C], name: str = "default") -> C:
    """The process's client of ``client_class`` configured by ``REQUESTFORGE["CLIENTS"][name]``.

    Built on first use (``BASE_URL``, ``CREDENTIALS`` as the generated client's
    keyword arguments, ``TIMEOUT``, ``HEADERS``, ``TOKEN_CACHE``: a cache alias
    whose backend holds the tokens, shared by every process when it is
    Redis or Memcached) and then shared by every thread: clients are
    thread-safe and keep connection pools and tokens, so one per process is
    what you want.  Creation is locked, so concurrent first requests build one.
    """
    key = (client_class, name)
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                _connect_signal()
                client = _clients[key] = _build(client_class, name)
    built: C = client
    return built


def reset_clients() -> None:
    """Close and forget every client built from settings (they are rebuilt on next use)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()
