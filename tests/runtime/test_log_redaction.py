"""The HTTP libraries' own log lines never carry a query value: urllib3 and httpx."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from requestforge import ApiKeyAuthHook, AsyncHttpClient, HttpClient, HttpClientConfigBuilder
from requestforge._log_redaction import QueryRedactingFilter, blank_query

from tests.support.server import LoopbackServer, Reply

SECRET = "SECRET-api-key-4711"


def _config(server: LoopbackServer) -> HttpClientConfigBuilder:
    hook = ApiKeyAuthHook("api_key", SECRET, "query")
    return HttpClientConfigBuilder().with_base_url(server.url).with_auth_hook(hook)


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)


def test_the_sync_client_keeps_query_credentials_out_of_urllib3_logs(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.route("GET", "/items", Reply.json([]))
    with HttpClient(_config(server).build()) as client:
        client.get("/items", params={"page": 2})
    text = _logged(caplog)
    assert "urllib3.connectionpool" in text  # the line is there, only blanked
    assert SECRET not in text
    assert "page=2" not in text


def test_the_async_client_keeps_query_credentials_out_of_httpx_logs(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server.route("GET", "/items", Reply.json([]))

    async def call() -> None:
        client = AsyncHttpClient(_config(server).build())
        await client.get("/items", params={"page": 2})
        await client.aclose()

    asyncio.run(call())
    text = _logged(caplog)
    assert "HTTP Request: GET" in text  # httpx's INFO line is there, only blanked
    assert SECRET not in text
    assert "api_key=" in text  # names stay: they help a reader, values do not


@pytest.mark.parametrize(
    "arg",
    [
        "/items?api_key=s3cr3t&page=2 HTTP/1.1",
        httpx.URL("http://h/items?api_key=s3cr3t&page=2"),
    ],
)
def test_the_filter_blanks_string_and_url_arguments(arg: object) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "GET %s %s", (arg, 200), None)
    assert QueryRedactingFilter().filter(record)
    message = record.getMessage()
    assert "s3cr3t" not in message
    assert "page=2" not in message
    assert message.endswith(" 200")


def test_blank_query_keeps_names_and_blank_values() -> None:
    assert blank_query("/p?a=1&b=&c=3") == "/p?a=[REDACTED]&b=[REDACTED]&c=[REDACTED]"
