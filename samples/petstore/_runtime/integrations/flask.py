"""Flask: request ids for every request and a generated client per app.

::

    forge = RequestForge(client_class=Client)     # module level: no app needed yet
    def create_app() -> Flask:
        app = Flask(__name__)
        app.config["REQUESTFORGE_BASE_URL"] = "https://api.example.com"
        app.config["REQUESTFORGE_CREDENTIALS"] = {"client_id": "...", "client_secret": "..."}
        app.config["REQUESTFORGE_TOKEN_STORAGE"] = "redis://localhost:6379/0"
        forge.init_app(app)
        return app
    # in a view: forge.client.pets.list_pets()

All state lives in ``app.extensions``: one extension object serves any number of
apps (the app-factory pattern), each with its own client, created on first use
under a lock and closed when the app is garbage-collected or the process exits.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, overload

import flask

from ..config import check_header
from ..context import (
    DEFAULT_CORRELATION_HEADER,
    request_id_or_new,
    reset_correlation_id,
    reset_request_metadata,
    set_correlation_id,
    set_request_metadata,
)
from ..errors import ConfigurationError
from ..storage import RedisTokenStorage

__all__ = ["RequestForge"]

C = TypeVar("C")

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class _AppState:
    """One app's share of the extension: its settings and its lazily built client."""

    def __init__(self, config: Mapping[str, Any], prefix: str) -> None:
        self.prefix = prefix
        self.header: str = config.get(f"{prefix}_REQUEST_ID_HEADER", DEFAULT_CORRELATION_HEADER)
        check_header(self.header, "", f"{prefix}_REQUEST_ID_HEADER")
        self.g_key = f"_requestforge_{prefix.lower()}"
        self.lock = threading.Lock()
        self.client: Any = None

    def close(self) -> None:
        with self.lock:
            client, self.client = self.client, None
        if client is not None:
            client.close()


def _token_storage(value: object, setting: str) -> object:
    if isinstance(value, str):
        if not value.startswith(_REDIS_SCHEMES):
            raise ConfigurationError(setting, "must be a token storage or a redis:// URL")
        return RedisTokenStorage(value)
    if not callable(getattr(value, "get", None)) or not callable(getattr(value, "set", None)):
        raise ConfigurationError(setting, "must be a token storage or a redis:// URL")
    return value


class RequestForge(Generic[C]):
    """Flask extension: correlation ids per request, and ``client`` for the current app.

    Before each request the incoming ``X-Request-ID`` (``<PREFIX>_REQUEST_ID_HEADER``)
    -- or a fresh id when it is missing or unacceptable, see
    :func:`~requestforge.context.is_valid_request_id` -- becomes the context's
    correlation id, which the app's clients send on; it is echoed on the
    response and reset on teardown.  Request metadata gets ``method``,
    ``path`` and ``endpoint``.

    The client is ``client_class(**kwargs)`` from the app's config:
    ``<PREFIX>_BASE_URL``, ``<PREFIX>_CREDENTIALS`` (the generated client's
    keyword arguments), ``<PREFIX>_TIMEOUT``, ``<PREFIX>_HEADERS`` and
    ``<PREFIX>_TOKEN_STORAGE`` (a token storage, or a ``redis://`` URL for a
    :class:`~requestforge.storage.RedisTokenStorage` shared by every worker).
    """

    @overload
    def __init__(
        self: RequestForge[Any],
        app: flask.Flask | None = None,
        *,
        client_class: None = None,
        config_prefix: str = "REQUESTFORGE",
    ) -> None: ...

    @overload
    def __init__(
        self,
        app: flask.Flask | None = None,
        *,
        client_class: Callable[..., C],
        config_prefix: str = "REQUESTFORGE",
    ) -> None: ...

    def __init__(
        self,
        app: flask.Flask | None = None,
        *,
        client_class: Callable[..., C] | None = None,
        config_prefix: str = "REQUESTFORGE",
    ) -> None:
        self.client_class = client_class
        self.config_prefix = config_prefix
        self._key = f"requestforge:{config_prefix}"
        if app is not None:
            self.init_app(app)

    def init_app(self, app: flask.Flask) -> None:
        """Register the request handlers and this app's state (``app.extensions``)."""
        state = _AppState(app.config, self.config_prefix)
        app.extensions[self._key] = state
        app.before_request(lambda: self._before_request(state))

        def after_request(response: flask.Response) -> flask.Response:
            return self._after_request(state, response)

        def teardown_request(_error: BaseException | None) -> None:
            self._teardown_request(state)

        app.after_request(after_request)
        app.teardown_request(teardown_request)
        # No app-shutdown hook in Flask: close the client with the app, or at exit.
        weakref.finalize(app, state.close)

    # -- per request -------------------------------------------------------------

    @staticmethod
    def _before_request(state: _AppState) -> None:
        request = flask.request
        request_id = request_id_or_new(request.headers.get(state.header))
        tokens = (
            request_id,
            set_correlation_id(request_id),
            set_request_metadata(
                method=request.method, path=request.path, endpoint=request.endpoint or ""
            ),
        )
        setattr(flask.g, state.g_key, tokens)

    @staticmethod
    def _after_request(state: _AppState, response: flask.Response) -> flask.Response:
        tokens = getattr(flask.g, state.g_key, None)
        if tokens is not None:
            response.headers[state.header] = tokens[0]
        return response

    @staticmethod
    def _teardown_request(state: _AppState) -> None:
        tokens: (
            tuple[str, contextvars.Token[str | None], contextvars.Token[Mapping[str, str]]] | None
        ) = flask.g.pop(state.g_key, None)
        if tokens is None:
            return
        _, correlation_token, metadata_token = tokens
        # Same thread, same context as before_request: Flask runs both around the view.
        reset_request_metadata(metadata_token)
        reset_correlation_id(correlation_token)

    # -- the client --------------------------------------------------------------

    @property
    def client(self) -> C:
        """The current app's client, built on first use and then shared by its threads."""
        state: _AppState = flask.current_app.extensions[self._key]
        client = state.client
        if client is None:
            with state.lock:
                client = state.client
                if client is None:
                    client = state.client = self._build(flask.current_app.config, state.prefix)
        built: C = client
        return built

    def _build(self, config: Mapping[str, Any], prefix: str) -> C:
        if self.client_class is None:
            raise ConfigurationError(
                "client_class", "pass RequestForge(client_class=YourClient) to use .client"
            )
        kwargs: dict[str, Any] = dict(config.get(f"{prefix}_CREDENTIALS") or {})
        for setting, parameter in (("BASE_URL", "base_url"), ("TIMEOUT", "timeout")):
            if config.get(f"{prefix}_{setting}") is not None:
                kwargs[parameter] = config[f"{prefix}_{setting}"]
        if config.get(f"{prefix}_HEADERS"):
            kwargs["headers"] = dict(config[f"{prefix}_HEADERS"])
        storage = config.get(f"{prefix}_TOKEN_STORAGE")
        if storage is not None:
            kwargs["token_storage"] = _token_storage(storage, f"{prefix}_TOKEN_STORAGE")
        return self.client_class(**kwargs)
