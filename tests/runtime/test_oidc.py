"""OpenID Connect discovery: fetched once per URL (across threads), errors not cached."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from requestforge import ConfigurationError, TokenFetchError, clear_discovery_cache, discover

from tests.support.server import LoopbackServer, Reply

PATH = "/.well-known/openid-configuration"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    clear_discovery_cache()
    yield
    clear_discovery_cache()


def test_discovery_document_parsed(server: LoopbackServer) -> None:
    server.route(
        "GET",
        PATH,
        Reply.json(
            {
                "issuer": "https://issuer.example",
                "token_endpoint": "https://issuer.example/token",
                "authorization_endpoint": "https://issuer.example/authorize",
                "scopes_supported": ["openid", "email", 3],
                "grant_types_supported": ["client_credentials"],
            }
        ),
    )
    config = discover(server.url + PATH)
    assert config.issuer == "https://issuer.example"
    assert config.token_endpoint == "https://issuer.example/token"
    assert config.authorization_endpoint == "https://issuer.example/authorize"
    assert config.scopes_supported == ("openid", "email")
    assert config.grant_types_supported == ("client_credentials",)
    assert config.raw["issuer"] == "https://issuer.example"


def test_fetched_once_across_threads(server: LoopbackServer) -> None:
    server.route(
        "GET", PATH, Reply(status=200, body=b'{"token_endpoint": "http://t/x"}', delay=0.1)
    )
    results = []

    def look() -> None:
        results.append(discover(server.url + PATH))

    threads = [threading.Thread(target=look) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 10
    assert all(result is results[0] for result in results)
    assert len(server.requests_to(PATH)) == 1
    discover(server.url + PATH)
    assert len(server.requests_to(PATH)) == 1
    clear_discovery_cache()
    discover(server.url + PATH)
    assert len(server.requests_to(PATH)) == 2


def test_failures_are_not_cached(server: LoopbackServer) -> None:
    server.queue(
        "GET",
        PATH,
        Reply(status=503),
        Reply.json({"issuer": "x"}),
        Reply.json({"token_endpoint": "https://ok/token"}),
    )
    with pytest.raises(TokenFetchError, match="HTTP 503"):
        discover(server.url + PATH)
    with pytest.raises(TokenFetchError, match="no absolute token_endpoint"):
        discover(server.url + PATH)
    assert discover(server.url + PATH).token_endpoint == "https://ok/token"


def test_non_json_and_bad_urls(server: LoopbackServer) -> None:
    server.route("GET", PATH, Reply(body=b"<html>"))
    with pytest.raises(TokenFetchError, match="not return a JSON object"):
        discover(server.url + PATH)
    with pytest.raises(ConfigurationError, match="openid_connect_url"):
        discover("/relative")


def test_credentials_in_the_url_are_redacted(server: LoopbackServer) -> None:
    server.route("GET", PATH, Reply(status=500))
    url = server.url.replace("http://", "http://user:hunter22@") + PATH + "?key=sekrit-key"
    with pytest.raises(TokenFetchError) as caught:
        discover(url)
    assert "hunter22" not in str(caught.value)
