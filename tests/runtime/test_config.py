"""HttpClientConfig validation, the builder, and a repr without secrets."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pytest
from requestforge import (
    ApiKeyAuthHook,
    BasicAuthHook,
    BearerTokenAuthHook,
    ConfigurationError,
    CorrelationIdHook,
    ExponentialBackoffRetryStrategy,
    HttpClient,
    HttpClientConfig,
    HttpClientConfigBuilder,
    IdempotencyKeyHook,
    LoggingErrorHook,
    LoggingResponseHook,
    NoRetryStrategy,
    SimpleRetryStrategy,
    TokenAuthHook,
)

from tests.support.server import LoopbackServer, Reply

SECRET = "s3cr3t-value"
NAN, INF = float("nan"), float("inf")


def _setting_of(build: Any) -> str:
    with pytest.raises(ConfigurationError) as caught:
        build()
    assert caught.value.setting in str(caught.value)
    assert isinstance(caught.value, ValueError)
    return caught.value.setting


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.test",
        "file:///etc/passwd",
        "api.test/v1",
        "localhost:8080",
        "http://",
        "https:///path-only",
        "https://api.test/v1?x=1",
        "https://api.test/v1#frag",
    ],
)
def test_bad_base_url_is_refused(url: str) -> None:
    assert _setting_of(lambda: HttpClientConfigBuilder().with_base_url(url).build()) == "base_url"


@pytest.mark.parametrize("value", [0, -1, NAN, INF, True, "30", None])
def test_bad_timeouts_are_refused(value: Any) -> None:
    if value is not None:
        assert (
            _setting_of(lambda: HttpClientConfigBuilder().with_timeout(value).build())
            == "default_timeout"
        )
        build = HttpClientConfigBuilder().with_timeout(5, connect=value).build
        assert _setting_of(build) == "connect_timeout"
    else:
        assert _setting_of(lambda: HttpClientConfig(default_timeout=value)) == "default_timeout"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Ok", "line\r\nX-Injected: 1"),
        ("X-Ok", "line\nbreak"),
        ("X-Ok", "nul\x00"),
        ("Bad Header", "v"),
        ("X-Bad:", "v"),
        ("", "v"),
    ],
)
def test_headers_that_would_break_the_message_are_refused(name: str, value: str) -> None:
    assert (
        _setting_of(lambda: HttpClientConfigBuilder().with_header(name, value)) == "default_headers"
    )
    direct = {name: value}
    assert _setting_of(lambda: HttpClientConfig(default_headers=direct)) == "default_headers"


def test_user_agent_is_checked_however_the_config_is_made() -> None:
    evil = "forge\r\nX-Injected: 1"
    assert _setting_of(lambda: HttpClientConfigBuilder().with_user_agent(evil)) == "user_agent"
    assert _setting_of(lambda: HttpClientConfig(user_agent=evil)) == "user_agent"


@pytest.mark.parametrize(
    ("make", "setting"),
    [
        (lambda b: b.with_redirects(True, max_redirects=-1), "max_redirects"),
        (lambda b: b.with_redirects(True, max_redirects="5"), "max_redirects"),
        (lambda b: b.with_pool_size(0), "pool_maxsize"),
        (lambda b: b.with_pool_size(2.5), "pool_maxsize"),
        (lambda b: b.with_verify_ssl(1), "verify_ssl"),
        (lambda b: b.with_retry_strategy(object()), "retry_strategy"),
        (lambda b: b.with_auth_hook(object()), "auth_hook"),
        (lambda b: b.with_request_hook(lambda r, c: r), "request_hooks"),
        (lambda b: b.with_response_hook(object()), "response_hooks"),
        (lambda b: b.with_error_hook(LoggingResponseHook()), "error_hooks"),
    ],
)
def test_other_bad_settings_are_named(make: Any, setting: str) -> None:
    assert _setting_of(lambda: make(HttpClientConfigBuilder()).build()) == setting


def test_builder_sets_every_value() -> None:
    request_hook, response_hook, error_hook = (
        CorrelationIdHook(),
        LoggingResponseHook(),
        LoggingErrorHook(),
    )
    config = (
        HttpClientConfigBuilder()
        .with_base_url("https://api.test/v1/")
        .with_timeout(12.5, connect=2.0)
        .with_header("X-One", "1")
        .with_headers({"X-Two": "2", "X-Three": "3"})
        .with_user_agent("my-app/1.0")
        .with_verify_ssl("/etc/ssl/ca.pem")
        .with_proxies({"https": "http://proxy.test:3128"})
        .with_trust_env(False)
        .with_redirects(False, max_redirects=4)
        .with_pool_size(32)
        .with_retry(max_retries=5, base_delay=0.1, max_delay=2.0, total_timeout=9.0)
        .with_request_hook(request_hook)
        .with_response_hook(response_hook)
        .with_error_hook(error_hook)
        .with_bearer_token(SECRET)
        .build()
    )
    assert config.base_url == "https://api.test/v1"
    assert (config.default_timeout, config.connect_timeout) == (12.5, 2.0)
    assert dict(config.default_headers) == {"X-One": "1", "X-Two": "2", "X-Three": "3"}
    assert config.user_agent == "my-app/1.0"
    assert config.verify_ssl == "/etc/ssl/ca.pem"
    assert dict(config.proxies or {}) == {"https": "http://proxy.test:3128"}
    assert config.trust_env is False
    assert (config.follow_redirects, config.max_redirects) == (False, 4)
    assert config.pool_maxsize == 32
    strategy = config.retry_strategy
    assert isinstance(strategy, ExponentialBackoffRetryStrategy)
    assert (strategy.max_retries, strategy.base_delay, strategy.max_delay) == (5, 0.1, 2.0)
    assert strategy.total_timeout == 9.0
    assert config.request_hooks == (request_hook,)
    assert config.response_hooks == (response_hook,)
    assert config.error_hooks == (error_hook,)
    assert isinstance(config.auth_hook, BearerTokenAuthHook)


def test_builder_auth_shortcuts_and_strategies() -> None:
    @dataclass
    class Token:
        access_token: str = "a"
        authorization_header: str = "Bearer a"

    class Manager:
        def get_token(self) -> Token:
            return Token()

        def invalidate(self, access_token: str | None = None) -> None:
            return None

    builder = HttpClientConfigBuilder()
    assert isinstance(builder.with_api_key("k").build().auth_hook, ApiKeyAuthHook)
    assert isinstance(builder.with_basic_auth("u", "p").build().auth_hook, BasicAuthHook)
    token_hook = builder.with_token_auth(Manager()).build().auth_hook
    assert isinstance(token_hook, TokenAuthHook)
    assert isinstance(builder.with_no_retry().build().retry_strategy, NoRetryStrategy)
    simple = SimpleRetryStrategy(1)
    assert builder.with_retry_strategy(simple).build().retry_strategy is simple
    keyed = HttpClientConfigBuilder().with_idempotency_keys().build()
    assert isinstance(keyed.request_hooks[0], IdempotencyKeyHook)


def test_defaults_are_sensible() -> None:
    config = HttpClientConfigBuilder().build()
    assert config.default_timeout > 0
    assert config.verify_ssl is True
    assert config.follow_redirects is True
    assert config.retry_strategy.max_retries >= 1
    assert config.auth_hook is None


def test_config_is_frozen_and_its_collections_read_only() -> None:
    config = HttpClientConfigBuilder().with_header("X-A", "1").build()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.base_url = "https://other.test"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.default_headers["X-B"] = "2"  # type: ignore[index]


def test_building_twice_gives_independent_configs() -> None:
    builder = HttpClientConfigBuilder().with_header("X-A", "1")
    first = builder.build()
    builder.with_header("X-B", "2")
    assert "X-B" not in first.default_headers
    assert "X-B" in builder.build().default_headers


def test_repr_of_config_shows_no_secrets() -> None:
    config = (
        HttpClientConfigBuilder()
        .with_base_url(f"https://user:{SECRET}@api.test")
        .with_header("Authorization", f"Bearer {SECRET}")
        .with_header("X-Api-Key", SECRET)
        .with_bearer_token(SECRET)
        .build()
    )
    assert SECRET not in repr(config)
    assert SECRET not in repr(HttpClient(config))
    assert "api.test" in repr(config)
    assert "BearerTokenAuthHook" in repr(config)


def test_default_headers_and_user_agent_are_sent(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply(200))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url + "/")
        .with_header("X-Client", "forge")
        .with_user_agent("my-app/1.0")
        .build()
    )
    HttpClient(config).get("x", headers={"X-Call": "1"})
    received = server.requests[0]
    assert received.path == "/x"
    assert received.header("X-Client") == "forge"
    assert received.header("X-Call") == "1"
    assert received.header("User-Agent") == "my-app/1.0"


def test_base_url_path_is_kept(server: LoopbackServer) -> None:
    server.route("GET", "/api/v2/users", Reply(200))
    config = HttpClientConfigBuilder().with_base_url(server.url + "/api/v2").build()
    client = HttpClient(config)
    assert client.get("/users").status_code == 200
    assert client.get(f"{server.url}/api/v2/users").status_code == 200  # absolute wins
