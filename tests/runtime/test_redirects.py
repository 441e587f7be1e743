"""Redirects over real sockets: what is kept, what is dropped, and when following stops.

A second ``LoopbackServer`` listens on another port, so it is another origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from requestforge import (
    ApiKeyAuthHook,
    AuthHookInterface,
    CompositeAuthHook,
    HttpClient,
    HttpClientConfigBuilder,
    HttpRequest,
    InvalidRequestError,
    RequestContext,
    TooManyRedirectsError,
)
from requestforge._transport import redirect_strips_credentials
from requestforge.hooks import AuthHook

from tests.support.server import LoopbackServer, RecordedRequest, Reply

SECRET = "s3cr3t-value"


@pytest.fixture
def other() -> Iterator[LoopbackServer]:
    with LoopbackServer() as running:
        running.route("GET", "/*", Reply(200, b"landed"))
        running.route("POST", "/*", Reply(200, b"landed"))
        yield running


def _client(server: LoopbackServer, auth: AuthHook | None = None, **headers: str) -> HttpClient:
    builder = HttpClientConfigBuilder().with_base_url(server.url).with_no_retry()
    if auth is not None:
        builder.with_auth_hook(auth)
    for name, value in headers.items():
        builder.with_header(name.replace("_", "-"), value)
    return HttpClient(builder.build())


class TenantAuth(AuthHookInterface):
    """An auth hook whose header, query parameter and cookie do not *look* like secrets."""

    def before_request(self, request: HttpRequest, context: RequestContext) -> HttpRequest:
        return (
            request.with_headers({"X-Tenant": SECRET})
            .with_params({"tenant": SECRET})
            .with_cookies({"tenant": SECRET})
        )


def _leaks(request: RecordedRequest) -> list[str]:
    """Every place on a received request where the secret (or a credential header) shows."""
    found = [f"header {k}" for k, v in request.headers.items() if SECRET in v]
    found += [f"query {k}" for k, v in request.query.items() if any(SECRET in x for x in v)]
    found += [
        f"header {name}"
        for name in ("authorization", "cookie", "proxy-authorization")
        if request.header(name) is not None
    ]
    return found


def _echo_query_redirect(target: str, status: int = 302) -> object:
    def handler(request: RecordedRequest) -> Reply:
        query = urlencode([(k, v) for k, values in request.query.items() for v in values])
        separator = "&" if "?" in target else "?"
        return Reply.redirect(f"{target}{separator}{query}" if query else target, status)

    return handler


# -- same origin: credentials stay ----------------------------------------------------


@pytest.mark.parametrize(
    ("auth", "where"),
    [
        (ApiKeyAuthHook("X-API-Key", SECRET, "header"), "header x-api-key"),
        (ApiKeyAuthHook("api_key", SECRET, "query"), "query api_key"),
        (ApiKeyAuthHook("session", SECRET, "cookie"), "header cookie"),
        (TenantAuth(), "header x-tenant"),
    ],
)
def test_same_origin_redirect_keeps_auth_hook_credentials(
    server: LoopbackServer, auth: AuthHook, where: str
) -> None:
    server.route("GET", "/start", _echo_query_redirect("/next?page=2"))  # type: ignore[arg-type]
    server.route("GET", "/next", Reply(200, b"ok"))
    client = _client(server, auth)
    response = client.get("/start")
    assert response.content == b"ok"
    landed = server.requests_to("/next")[0]
    assert where in _leaks(landed)
    assert landed.query["page"] == ["2"]
    if where.startswith("query"):
        assert landed.query["api_key"] == [SECRET]  # once, though the Location echoed it


def test_same_origin_redirect_keeps_bearer_and_caller_headers(server: LoopbackServer) -> None:
    server.route("GET", "/start", Reply.redirect("/next", 301))
    server.route("GET", "/next", Reply(200, b"ok"))
    client = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).with_bearer_token(SECRET).build()
    )
    client.get("/start", headers={"X-Trace": "t1"})
    landed = server.requests_to("/next")[0]
    assert landed.header("Authorization") == f"Bearer {SECRET}"
    assert landed.header("X-Trace") == "t1"


def test_same_origin_redirect_carries_cookies_the_server_set(server: LoopbackServer) -> None:
    server.route(
        "GET", "/login", Reply(302, headers={"Location": "/home", "Set-Cookie": "sid=abc; Path=/"})
    )
    server.route("GET", "/home", Reply(200, b"home"))
    _client(server).get("/login")
    assert server.requests_to("/home")[0].header("Cookie") == "sid=abc"


# -- cross origin: credentials go -----------------------------------------------------


@pytest.mark.parametrize(
    "auth",
    [
        ApiKeyAuthHook("X-API-Key", SECRET, "header"),
        ApiKeyAuthHook("api_key", SECRET, "query"),
        ApiKeyAuthHook("appid", SECRET, "query"),
        ApiKeyAuthHook("session", SECRET, "cookie"),
        TenantAuth(),
        CompositeAuthHook([ApiKeyAuthHook("key", SECRET, "query"), TenantAuth()]),
    ],
    ids=["header-key", "query-api_key", "query-appid", "cookie-key", "tenant", "composite"],
)
def test_cross_origin_redirect_drops_everything_the_auth_hook_added(
    server: LoopbackServer, other: LoopbackServer, auth: AuthHook
) -> None:
    # The Location echoes the query string, auth-hook key included, as some servers do.
    server.route(
        "GET", "/start", _echo_query_redirect(f"{other.url}/land")  # type: ignore[arg-type]
    )
    client = _client(server, auth)
    response = client.get("/start", params={"page": 2})
    assert response.content == b"landed"
    landed = other.requests_to("/land")[0]
    assert _leaks(landed) == []
    assert landed.query.get("page") == ["2"]  # the caller's own parameters survive


def test_cross_origin_redirect_drops_bearer_token(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    server.route("GET", "/start", Reply.redirect(f"{other.url}/land", 307))
    client = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).with_bearer_token(SECRET).build()
    )
    client.get("/start")
    assert server.requests_to("/start")[0].header("Authorization") == f"Bearer {SECRET}"
    assert _leaks(other.requests_to("/land")[0]) == []


def test_cross_origin_redirect_drops_basic_auth(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    server.route("GET", "/start", Reply.redirect(f"{other.url}/land"))
    client = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).with_basic_auth("u", SECRET).build()
    )
    client.get("/start")
    assert other.requests_to("/land")[0].header("Authorization") is None


def test_cross_origin_redirect_drops_credential_headers_the_caller_set(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    server.route("GET", "/start", Reply.redirect(f"{other.url}/land"))
    client = _client(server)
    client.get(
        "/start",
        headers={
            "Authorization": f"Bearer {SECRET}",
            "Cookie": f"sid={SECRET}",
            "Proxy-Authorization": f"Basic {SECRET}",
            "X-Trace": "kept",
        },
    )
    landed = other.requests_to("/land")[0]
    assert _leaks(landed) == []
    assert landed.header("X-Trace") == "kept"


def test_cross_origin_redirect_drops_credential_default_headers(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    server.route("GET", "/start", Reply.redirect(f"{other.url}/land"))
    client = _client(server, Authorization=f"Bearer {SECRET}", X_API_Key=SECRET, X_Client="forge")
    client.get("/start")
    assert server.requests_to("/start")[0].header("Authorization") == f"Bearer {SECRET}"
    landed = other.requests_to("/land")[0]
    assert _leaks(landed) == []
    assert landed.header("X-Client") == "forge"  # harmless defaults still go


def test_cross_origin_redirect_drops_cookies_from_the_session_jar(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    # Cookies do not isolate ports, so the jar would happily send A's cookie to B.
    server.route(
        "GET",
        "/login",
        Reply(302, headers={"Location": f"{other.url}/land", "Set-Cookie": f"sid={SECRET}"}),
    )
    client = _client(server, ApiKeyAuthHook("session", SECRET, "cookie"))
    client.get("/login", headers={"Cookie": "theme=dark"})
    assert _leaks(other.requests_to("/land")[0]) == []


def test_leaving_and_coming_back_in_one_chain(
    server: LoopbackServer, other: LoopbackServer
) -> None:
    server.route("GET", "/start", Reply.redirect(f"{other.url}/bounce"))
    other.route("GET", "/bounce", Reply.redirect(f"{server.url}/back"))
    server.route("GET", "/back", Reply(200, b"back"))
    client = _client(server, ApiKeyAuthHook("X-API-Key", SECRET))
    assert client.get("/start").content == b"back"
    assert _leaks(other.requests_to("/bounce")[0]) == []
    # Back on the origin the credentials were made for, the auth hook applies them again.
    assert server.requests_to("/back")[0].header("X-API-Key") == SECRET


@pytest.mark.parametrize(
    ("original", "source", "target", "strips"),
    [
        ("https://api.test/a", "https://api.test/a", "https://api.test/b", False),
        ("https://api.test/a", "https://api.test/a", "http://api.test/b", True),  # downgrade
        ("https://api.test/a", "https://api.test/a", "http://api.test:443/b", True),
        ("https://api.test/a", "https://api.test/a", "https://api.test:443/b", False),
        ("https://api.test/a", "https://api.test/a", "https://API.test/b", False),
        ("https://api.test/a", "https://api.test/a", "https://api.test:8443/b", True),
        ("https://api.test/a", "https://api.test/a", "https://evil.test/b", True),
        ("https://api.test/a", "https://api.test/a", "https://api.test.evil.test/b", True),
        ("http://api.test/a", "http://api.test/a", "https://api.test/b", True),  # other origin
        ("http://api.test/a", "http://api.test/a", "http://api.test:80/b", False),
        # Back on the original http origin, but coming down from an https hop.
        ("http://api.test/a", "https://cdn.test/x", "http://api.test/b", True),
    ],
)
def test_redirect_credential_decision(
    original: str, source: str, target: str, strips: bool
) -> None:
    assert redirect_strips_credentials(original, source, target) is strips


# -- methods and bodies -----------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303])
def test_post_redirected_with_301_302_303_becomes_a_get_without_body(
    server: LoopbackServer, status: int
) -> None:
    server.route("POST", "/form", Reply.redirect("/result", status))
    server.route("GET", "/result", Reply(200, b"result"))
    response = _client(server).post("/form", json={"big": "body"})
    assert response.content == b"result"
    landed = server.requests_to("/result")[0]
    assert landed.method == "GET"
    assert landed.body == b""
    assert landed.header("Content-Type") is None
    assert landed.header("Content-Length") in (None, "0")


def test_303_turns_put_into_get(server: LoopbackServer) -> None:
    server.route("PUT", "/item", Reply.redirect("/status", 303))
    server.route("GET", "/status", Reply(200, b"ok"))
    _client(server).put("/item", data=b"raw bytes")
    assert server.requests_to("/status")[0].body == b""


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_307_308_keep_method_and_body(server: LoopbackServer, status: int, method: str) -> None:
    server.route(method, "/old", Reply.redirect("/new", status))
    server.route(method, "/new", Reply(200, b"ok"))
    _client(server).request(method, "/old", json={"keep": [1, 2]}, headers={"X-Keep": "yes"})
    landed = server.requests_to("/new")[0]
    assert landed.method == method
    assert landed.json() == {"keep": [1, 2]}
    assert landed.header("Content-Type") == "application/json"
    assert landed.header("X-Keep") == "yes"


def test_307_keeps_form_body_across_origins(server: LoopbackServer, other: LoopbackServer) -> None:
    server.route("POST", "/old", Reply.redirect(f"{other.url}/new", 307))
    _client(server).post("/old", data={"a": "1", "b": "2"})
    landed = other.requests_to("/new")[0]
    assert landed.method == "POST"
    assert landed.body == b"a=1&b=2"


# -- when following stops ---------------------------------------------------------------


def test_redirect_loop_raises_too_many_redirects(server: LoopbackServer) -> None:
    server.route("GET", "/loop", Reply.redirect("/loop"))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_redirects(True, max_redirects=3)
        .build()
    )
    with pytest.raises(TooManyRedirectsError):
        HttpClient(config).get("/loop")
    assert len(server.requests) == 4  # the request and three redirects, then it stops


def test_default_redirect_limit_stops_a_two_step_loop(server: LoopbackServer) -> None:
    server.route("GET", "/ping", Reply.redirect("/pong"))
    server.route("GET", "/pong", Reply.redirect("/ping"))
    with pytest.raises(TooManyRedirectsError):
        _client(server).get("/ping")
    assert len(server.requests) == 21


def test_redirects_off_returns_the_3xx(server: LoopbackServer) -> None:
    server.route("GET", "/moved", Reply.redirect("/there", 301))
    config = HttpClientConfigBuilder().with_base_url(server.url).with_redirects(False).build()
    response = HttpClient(config).get("/moved")
    assert response.status_code == 301
    assert response.is_redirect
    assert response.headers["Location"] == "/there"
    assert len(server.requests) == 1


@pytest.mark.parametrize("location", ["http://127.0.0.1:99999/x", "ftp://127.0.0.1/x"])
def test_unusable_location_is_an_invalid_request(server: LoopbackServer, location: str) -> None:
    server.route("GET", "/odd", Reply.redirect(location))
    with pytest.raises(InvalidRequestError):
        _client(server).get("/odd")


def test_redirect_without_location_is_returned(server: LoopbackServer) -> None:
    server.route("GET", "/odd", Reply(302))
    assert _client(server).get("/odd").status_code == 302


def test_final_response_reports_the_final_url(server: LoopbackServer) -> None:
    server.route("GET", "/a", Reply.redirect("/b"))
    server.route("GET", "/b", Reply.redirect("/c"))
    server.route("GET", "/c", Reply(200, b"c"))
    response = _client(server).get("/a")
    assert response.url == f"{server.url}/c"
    assert [r.path for r in server.requests] == ["/a", "/b", "/c"]
