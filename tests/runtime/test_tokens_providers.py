"""OAuth 2.0 token providers against a real loopback token endpoint."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import unquote_plus

import pytest
from requestforge import (
    ClientCredentialsTokenProvider,
    ConfigurationError,
    ConnectError,
    PasswordGrantTokenProvider,
    ReadTimeoutError,
    RefreshTokenProvider,
    TokenData,
    TokenFetchError,
    TokenManager,
)

from tests.runtime.token_support import START, FakeClock, TokenEndpoint, form
from tests.support.server import LoopbackServer, RecordedRequest, Reply

SECRET = "cl1ent:s3cret+/="  # characters that must be form-encoded inside Basic credentials
PASSWORD = "hunter2-pa55word"


@contextmanager
def refused_url() -> Iterator[str]:
    """A URL whose port is bound but not listening: connecting is refused at once."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}/token"


def everything_said_about(error: BaseException) -> str:
    """Message, repr and args of the error and of every exception chained to it."""
    said: list[str] = []
    current: BaseException | None = error
    while current is not None and len(said) < 30:
        said += [str(current), repr(current), repr(current.args)]
        current = current.__cause__ or current.__context__
    return "\n".join(said)


def basic_credentials(request: RecordedRequest) -> tuple[str, str]:
    header = request.header("Authorization") or ""
    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    user, _, password = base64.b64decode(encoded).decode().partition(":")
    return unquote_plus(user), unquote_plus(password)


# -- grants on the wire ----------------------------------------------------------


def test_client_credentials_with_basic_auth(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    clock = FakeClock()
    provider = ClientCredentialsTokenProvider(
        endpoint.url, "my-client", SECRET, scope=["read", "write"], clock=clock
    )

    token = provider.fetch_token()

    assert token.access_token == "tok-1"
    assert token.token_type == "Bearer"
    assert token.expires_at == START + timedelta(seconds=3600)
    (request,) = server.requests_to("/token")
    assert basic_credentials(request) == ("my-client", SECRET)
    assert form(request) == {"grant_type": "client_credentials", "scope": "read write"}
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.header("Accept") == "application/json"


def test_client_credentials_with_post_auth_and_extra_params(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    provider = ClientCredentialsTokenProvider(
        endpoint.url,
        "my-client",
        SECRET,
        auth_method="client_secret_post",
        extra_params={"audience": "https://api.example"},
    )
    provider.fetch_token()
    (request,) = server.requests_to("/token")
    assert request.header("Authorization") is None
    assert form(request) == {
        "grant_type": "client_credentials",
        "client_id": "my-client",
        "client_secret": SECRET,
        "audience": "https://api.example",
    }


def test_password_grant_confidential_and_public_clients(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    PasswordGrantTokenProvider(endpoint.url, "alice", PASSWORD, "app", "app-secret").fetch_token()
    PasswordGrantTokenProvider(endpoint.url, "bob", PASSWORD, client_id="spa").fetch_token()

    confidential, public = server.requests_to("/token")
    assert basic_credentials(confidential) == ("app", "app-secret")
    assert form(confidential) == {
        "grant_type": "password",
        "username": "alice",
        "password": PASSWORD,
    }
    assert public.header("Authorization") is None
    assert form(public) == {
        "grant_type": "password",
        "username": "bob",
        "password": PASSWORD,
        "client_id": "spa",
    }


def test_refresh_grant_keeps_the_old_refresh_token_when_none_is_issued(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server, issue_refresh=False)
    provider = ClientCredentialsTokenProvider(endpoint.url, "c", SECRET)
    current = TokenData(access_token="old", refresh_token="keep-me-refresh")

    renewed = provider.refresh_token(current)

    assert renewed.access_token == "tok-1"
    assert renewed.refresh_token == "keep-me-refresh"  # RFC 6749 section 6
    assert form(server.requests_to("/token")[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "keep-me-refresh",
    }


def test_refused_refresh_token_falls_back_to_a_new_grant(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda request: (
        Reply.json({"error": "invalid_grant"}, status=400)
        if form(request)["grant_type"] == "refresh_token"
        else None
    )
    provider = PasswordGrantTokenProvider(endpoint.url, "alice", PASSWORD)

    token = provider.refresh_token(TokenData(access_token="old", refresh_token="revoked"))

    assert token.access_token == "tok-2"
    assert endpoint.grants == ["refresh_token", "password"]


def test_other_refresh_errors_are_not_papered_over(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda request: Reply.json({"error": "temporarily_unavailable"}, 503)
    provider = ClientCredentialsTokenProvider(endpoint.url, "c", SECRET)
    with pytest.raises(TokenFetchError) as caught:
        provider.refresh_token(TokenData(access_token="old", refresh_token="r"))
    assert caught.value.error == "temporarily_unavailable"
    assert endpoint.grants == ["refresh_token"]


def test_refresh_token_provider_uses_a_valid_initial_token_then_rotates(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server)
    clock = FakeClock()
    initial = TokenData(
        access_token="from-auth-code",
        expires_at=clock() + timedelta(seconds=600),
        refresh_token="refresh-0",
    )
    provider = RefreshTokenProvider(endpoint.url, initial, "web-app", "web-secret", clock=clock)

    assert provider.fetch_token() is initial  # no request spent on a token we already hold
    assert endpoint.count == 0
    assert provider.fetch_token().access_token == "tok-1"
    assert provider.fetch_token().access_token == "tok-2"

    first, second = server.requests_to("/token")
    assert form(first) == {"grant_type": "refresh_token", "refresh_token": "refresh-0"}
    assert form(second) == {"grant_type": "refresh_token", "refresh_token": "refresh-1"}  # rotated
    assert basic_credentials(first) == ("web-app", "web-secret")


def test_refresh_token_provider_from_a_bare_refresh_token(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    provider = RefreshTokenProvider(endpoint.url, "refresh-from-elsewhere", client_id="public")
    assert provider.fetch_token().access_token == "tok-1"
    assert form(server.requests_to("/token")[0]) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-from-elsewhere",
        "client_id": "public",
    }
    with pytest.raises(ConfigurationError, match="refresh token"):
        RefreshTokenProvider(endpoint.url, TokenData(access_token="no-refresh"))


def test_refresh_token_provider_reports_a_dead_refresh_token(server: LoopbackServer) -> None:
    endpoint = TokenEndpoint(server)
    endpoint.override = lambda request: Reply.json(
        {"error": "invalid_grant", "error_description": "Token is not active"}, 400
    )
    provider = RefreshTokenProvider(endpoint.url, "dead-refresh-token")
    with pytest.raises(TokenFetchError) as caught:
        provider.refresh_token(TokenData(access_token="a", refresh_token="dead-refresh-token"))
    assert caught.value.error == "invalid_grant"
    assert endpoint.count == 1  # the newest refresh token is the one refused: no second try
    assert "dead-refresh-token" not in everything_said_about(caught.value)


def test_manager_with_client_credentials_fetches_once_for_50_threads(
    server: LoopbackServer,
) -> None:
    endpoint = TokenEndpoint(server, delay=0.1)
    manager = TokenManager(ClientCredentialsTokenProvider(endpoint.url, "c", SECRET))
    barrier = threading.Barrier(50)
    seen: list[str] = []

    def worker() -> None:
        barrier.wait()
        seen.append(manager.get_token().access_token)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(server.requests_to("/token")) == 1
    assert seen == ["tok-1"] * 50


# -- failures --------------------------------------------------------------------


def test_rfc6749_error_body(server: LoopbackServer) -> None:
    server.route(
        "POST",
        "/token",
        Reply.json(
            {"error": "invalid_client", "error_description": "Client authentication failed"},
            status=401,
        ),
    )
    provider = ClientCredentialsTokenProvider(server.url + "/token", "my-client", SECRET)

    with pytest.raises(TokenFetchError) as caught:
        provider.fetch_token()

    error = caught.value
    assert (error.error, error.status_code) == ("invalid_client", 401)
    assert "invalid_client" in str(error)
    assert "Client authentication failed" in str(error)
    assert "HTTP 401" in str(error)
    assert basic_credentials(server.requests[0])[1] == SECRET  # it was sent ...
    said = everything_said_about(error)
    for secret in (SECRET, base64.b64encode(f"my-client:{SECRET}".encode()).decode()):
        assert secret not in said  # ... and is never repeated


def test_secrets_echoed_by_the_server_are_scrubbed(server: LoopbackServer) -> None:
    def echo(request: RecordedRequest) -> Reply:
        fields = form(request)
        return Reply.json(
            {
                "error": "invalid_grant",
                "error_description": f"bad password {fields['password']} for {fields['username']}",
            },
            status=400,
        )

    server.route("POST", "/token", echo)
    provider = PasswordGrantTokenProvider(
        server.url + "/token", "alice", PASSWORD, "app", SECRET, auth_method="client_secret_post"
    )
    with pytest.raises(TokenFetchError) as caught:
        provider.fetch_token()
    said = everything_said_about(caught.value)
    assert PASSWORD not in said
    assert SECRET not in said
    assert "bad password [REDACTED] for alice" in str(caught.value)


def test_non_json_server_error(server: LoopbackServer) -> None:
    server.route(
        "POST",
        "/token",
        Reply(
            status=500,
            body=b"<html><body>Internal Server Error</body></html>",
            headers={"Content-Type": "text/html"},
        ),
    )
    provider = ClientCredentialsTokenProvider(server.url + "/token", "c", SECRET)
    with pytest.raises(TokenFetchError) as caught:
        provider.fetch_token()
    error = caught.value
    assert (error.error, error.status_code) == (None, 500)
    assert "HTTP 500" in str(error)
    assert "non-JSON" in str(error)
    assert "text/html" in str(error)
    assert SECRET not in everything_said_about(error)


def test_success_status_without_a_token(server: LoopbackServer) -> None:
    server.queue(
        "POST",
        "/token",
        Reply(
            status=200, body=b"opaque-token-in-plain-text", headers={"Content-Type": "text/plain"}
        ),
        Reply.json({"token_type": "bearer"}),
    )
    provider = ClientCredentialsTokenProvider(server.url + "/token", "c", SECRET)
    with pytest.raises(TokenFetchError, match="not a JSON object") as plain:
        provider.fetch_token()
    assert "opaque-token-in-plain-text" not in str(plain.value)  # a 2xx body is never quoted
    with pytest.raises(TokenFetchError, match=r"no usable token.*no access_token"):
        provider.fetch_token()


def test_timeout(server: LoopbackServer) -> None:
    server.route("POST", "/token", Reply.json({"access_token": "late"}, headers={}))
    server.route("POST", "/slow", Reply(status=200, body=b"{}", delay=1.0))
    provider = ClientCredentialsTokenProvider(server.url + "/slow", "c", SECRET, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(TokenFetchError, match="timed out") as caught:
        provider.fetch_token()
    assert time.monotonic() - started < 0.9
    assert isinstance(caught.value.__cause__, ReadTimeoutError)
    assert caught.value.status_code is None
    assert SECRET not in everything_said_about(caught.value)


def test_connection_refused() -> None:
    with refused_url() as url:
        provider = PasswordGrantTokenProvider(url, "alice", PASSWORD, "app", SECRET)
        started = time.monotonic()
        with pytest.raises(TokenFetchError, match="could not connect") as caught:
            provider.fetch_token()
    assert time.monotonic() - started < 2.0
    assert isinstance(caught.value.__cause__, ConnectError)
    said = everything_said_about(caught.value)
    assert PASSWORD not in said
    assert SECRET not in said


def test_redirects_are_not_followed_with_credentials(server: LoopbackServer) -> None:
    server.route("POST", "/token", Reply.redirect(server.url + "/elsewhere", status=307))
    provider = ClientCredentialsTokenProvider(
        server.url + "/token", "c", SECRET, auth_method="client_secret_post"
    )
    with pytest.raises(TokenFetchError, match="redirect") as caught:
        provider.fetch_token()
    assert caught.value.status_code == 307
    assert server.requests_to("/elsewhere") == []


def test_reprs_show_no_secrets(server: LoopbackServer) -> None:
    url = server.url + "/token"
    providers = [
        ClientCredentialsTokenProvider(url, "c", SECRET),
        PasswordGrantTokenProvider(url, "alice", PASSWORD, "app", SECRET),
        RefreshTokenProvider(url, TokenData(access_token="AT-x", refresh_token="RT-secret-x")),
    ]
    for provider in providers:
        text = repr(provider) + str(provider) + repr(TokenManager(provider))
        for secret in (SECRET, PASSWORD, "AT-x", "RT-secret-x"):
            assert secret not in text
        assert "[REDACTED]" in repr(provider)


def test_configuration_errors() -> None:
    with pytest.raises(ConfigurationError, match="auth_method"):
        ClientCredentialsTokenProvider(
            "https://auth.example/token",
            "c",
            SECRET,
            auth_method="private_key_jwt",  # type: ignore[arg-type]
        )
    with pytest.raises(ConfigurationError, match="token_url"):
        ClientCredentialsTokenProvider("/token", "c", SECRET)
    with pytest.raises(ConfigurationError, match="client_id"):
        PasswordGrantTokenProvider("https://auth.example/token", "u", "p", client_secret="s")


def test_service_names_tell_credentials_apart() -> None:
    url = "https://user:pw@auth.example:8443/oauth/token"
    names = {
        ClientCredentialsTokenProvider(url, "a", SECRET).service_name,
        ClientCredentialsTokenProvider(url, "b", SECRET).service_name,
        ClientCredentialsTokenProvider(url, "a", SECRET, scope="read").service_name,
        PasswordGrantTokenProvider(url, "alice", PASSWORD).service_name,
        PasswordGrantTokenProvider(url, "bob", PASSWORD).service_name,
    }
    assert len(names) == 5
    assert all("pw" not in name.split("@")[0] and SECRET not in name for name in names)
