"""HttpRequest / HttpResponse / Headers / RequestContext: immutability, helpers, redaction."""

from __future__ import annotations

import dataclasses
import json
import shlex

import pytest
from requestforge import (
    Headers,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    HttpStatusError,
    RequestContext,
    ResponseDecodeError,
)

SECRET = "s3cr3t-value"


def _response(status: int = 200, body: bytes = b"", **headers: str) -> HttpResponse:
    named = {name.replace("_", "-"): value for name, value in headers.items()}
    return HttpResponse(status, Headers(named), body, url="https://api.test/x?page=2")


def _secret_request() -> HttpRequest:
    return HttpRequest(
        HttpMethod.POST,
        f"https://user:{SECRET}@api.test/items?access_token={SECRET}&page=2",
        headers={
            "Authorization": f"Bearer {SECRET}",
            "X-API-Key": SECRET,
            "Cookie": f"sid={SECRET}",
            "Accept": "application/json",
        },
        params={"api_key": SECRET, "q": "books"},
        cookies={"session": SECRET},
    )


# -- HttpRequest -------------------------------------------------------------------------


def test_http_method_is_a_str_and_knows_idempotency() -> None:
    assert HttpMethod.GET == "GET"
    assert str(HttpMethod.PATCH) == "PATCH"
    assert [m.value for m in HttpMethod if not m.is_idempotent] == ["POST", "PATCH"]


def test_request_is_frozen_and_with_methods_return_copies() -> None:
    request = HttpRequest(HttpMethod.GET, "/users", headers={"Accept": "text/plain"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.url = "/other"  # type: ignore[misc]
    changed = request.with_headers({"accept": "application/json", "X-New": "1"})
    assert dict(request.headers) == {"Accept": "text/plain"}
    assert dict(changed.headers) == {"accept": "application/json", "X-New": "1"}
    assert changed.header("ACCEPT") == "application/json"
    assert request.with_url("/b").url == "/b"
    assert request.with_cookies({"a": "1"}).cookies == {"a": "1"}


def test_with_params_replaces_same_named_parameters() -> None:
    request = HttpRequest(HttpMethod.GET, "/s", params={"q": "a", "tags": ["x", "y"]})
    changed = request.with_params({"q": "b", "flag": True})
    assert changed.full_url == "/s?tags=x&tags=y&q=b&flag=true"
    assert request.full_url == "/s?q=a&tags=x&tags=y"


def test_full_url_appends_to_an_existing_query_and_skips_none() -> None:
    request = HttpRequest(HttpMethod.GET, "/s?a=1", params={"b": 2, "c": None, "d": False})
    assert request.full_url == "/s?a=1&b=2&d=false"


def test_to_curl_redacts_credentials_everywhere() -> None:
    curl = _secret_request().to_curl()
    assert SECRET not in curl
    assert "[REDACTED]" in curl
    assert "q=books" in curl
    assert "page=2" in curl
    assert "Accept: application/json" in curl


def test_to_curl_redacts_credential_fields_in_form_and_json_bodies() -> None:
    form = HttpRequest(
        HttpMethod.POST,
        "https://auth.test/token",
        data={"grant_type": "password", "password": SECRET, "client_secret": SECRET},
    )
    body = HttpRequest(
        HttpMethod.POST,
        "https://auth.test/login",
        json_data={"user": "ann", "password": SECRET, "nested": [{"refresh_token": SECRET}]},
    )
    multipart = HttpRequest(
        HttpMethod.POST,
        "https://up.test/",
        data={"api_key": SECRET, "title": "cat"},
        files={"upload": b"bytes"},
    )
    for request in (form, body, multipart):
        assert SECRET not in request.to_curl()
        assert SECRET not in json.dumps(request.to_dict())
    assert "grant_type=password" in form.to_curl()
    assert '"user": "ann"' in body.to_curl()
    assert "title=cat" in multipart.to_curl()


def test_to_curl_without_redaction_is_a_usable_command() -> None:
    request = HttpRequest(
        HttpMethod.PUT,
        "https://api.test/items/1",
        headers={"Authorization": f"Bearer {SECRET}"},
        params={"q": "it's"},
        json_data={"name": "o'brien"},
    )
    words = shlex.split(request.to_curl(redact=False))
    assert words[:3] == ["curl", "-X", "PUT"]
    assert words[3] == "https://api.test/items/1?q=it%27s"
    assert f"Authorization: Bearer {SECRET}" in words
    assert "Content-Type: application/json" in words
    assert json.loads(words[words.index("--data-raw") + 1]) == {"name": "o'brien"}


def test_to_dict_redacts_and_can_show_everything() -> None:
    request = _secret_request()
    redacted = request.to_dict()
    assert SECRET not in json.dumps(redacted)
    assert redacted["method"] == "POST"
    assert ("q", "books") in [tuple(pair) for pair in redacted["params"]]
    assert SECRET in json.dumps(request.to_dict(redact=False))


def test_repr_of_request_hides_credentials() -> None:
    text = repr(_secret_request())
    assert SECRET not in text
    assert "api.test/items" in text


# -- HttpResponse ------------------------------------------------------------------------


def test_response_is_frozen() -> None:
    response = _response()
    with pytest.raises(dataclasses.FrozenInstanceError):
        response.status_code = 500  # type: ignore[misc]


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("text/plain; charset=iso-8859-1", "café".encode("latin-1"), "café"),
        ('text/plain; charset="UTF-8"', "café".encode(), "café"),
        ("text/plain;charset=utf-16", "hé".encode("utf-16"), "hé"),
        ("text/plain", "café".encode(), "café"),
        ("text/plain; charset=no-such-charset", "café".encode(), "café"),
        ("text/plain; charset=utf-8", b"caf\xff", "caf\ufffd"),
    ],
)
def test_text_decodes_with_the_declared_charset(content_type: str, body: bytes, text: str) -> None:
    assert _response(200, body, content_type=content_type).text == text


def test_json_helpers() -> None:
    assert _response(200, b'{"a": [1, 2]}').json() == {"a": [1, 2]}
    assert _response(200, b'\xef\xbb\xbf{"bom": true}').json() == {"bom": True}
    with pytest.raises(ResponseDecodeError):
        _response(200, b"<html>").json()
    with pytest.raises(ResponseDecodeError):
        _response(200, b"").json()
    assert _response(200, b"<html>").json_or_none() is None
    assert _response(204, b"").json_or_none() is None
    assert _response(200, b"null").json_or_none() is None
    assert _response(200, b"[1]").json_or_none() == [1]


def test_json_honours_a_declared_charset() -> None:
    body = '{"name": "café"}'.encode("latin-1")
    response = _response(200, body, content_type="application/json; charset=iso-8859-1")
    assert response.json() == {"name": "café"}
    assert response.json_or_none() == {"name": "café"}
    with_bom = _response(
        200, b'\xef\xbb\xbf{"a": 1}', content_type="application/json; charset=utf-8"
    )
    assert with_bom.json() == {"a": 1}
    unknown = _response(200, b'{"a": 1}', content_type="application/json; charset=nope")
    assert unknown.json() == {"a": 1}


@pytest.mark.parametrize(
    ("status", "success", "redirect", "client_error", "server_error"),
    [
        (200, True, False, False, False),
        (204, True, False, False, False),
        (301, False, True, False, False),
        (404, False, False, True, False),
        (499, False, False, True, False),
        (500, False, False, False, True),
        (503, False, False, False, True),
    ],
)
def test_status_predicates(
    status: int, success: bool, redirect: bool, client_error: bool, server_error: bool
) -> None:
    response = _response(status)
    assert (
        response.is_success,
        response.is_redirect,
        response.is_client_error,
        response.is_server_error,
    ) == (success, redirect, client_error, server_error)


def test_raise_for_status() -> None:
    ok = _response(200)
    assert ok.raise_for_status() is ok
    assert _response(302).raise_for_status().status_code == 302
    for status in (400, 404, 500):
        failing = _response(status)
        with pytest.raises(HttpStatusError) as caught:
            failing.raise_for_status()
        assert caught.value.response is failing
        assert caught.value.status_code == status
        assert str(status) in str(caught.value)


def test_response_repr_redacts_the_url() -> None:
    response = HttpResponse(200, Headers(), b"", url=f"https://api.test/?token={SECRET}")
    assert SECRET not in repr(response)
    assert "200" in repr(response)


# -- Headers and RequestContext ----------------------------------------------------------------


def test_headers_are_case_insensitive_and_keep_spelling() -> None:
    headers = Headers([("Content-Type", "text/plain"), ("X-Trace", "1")])
    assert headers["content-type"] == "text/plain"
    assert "CONTENT-TYPE" in headers
    assert 3 not in headers
    assert list(headers) == ["Content-Type", "X-Trace"]
    assert headers == {"content-type": "text/plain", "x-trace": "1"}
    assert headers.get("missing") is None
    assert len(headers) == 2


def test_headers_repr_hides_credentials() -> None:
    assert SECRET not in repr(Headers({"Authorization": SECRET, "Set-Cookie": SECRET}))


def test_request_context_counts_attempts() -> None:
    context = RequestContext(HttpRequest(HttpMethod.GET, "/x"), max_retries=3)
    assert context.attempt == 0
    assert not context.is_retry
    context.increment_attempt()
    assert context.attempt == 1
    assert context.is_retry
    assert context.metadata == {}
    assert context.elapsed >= 0.0
    other = RequestContext(HttpRequest(HttpMethod.GET, "/x"))
    assert other.metadata is not context.metadata


def test_request_copies_keep_every_other_field() -> None:
    # with_* copy without re-running __init__ (issue 8): the copy must equal replace()'s.
    original = HttpRequest(
        method=HttpMethod.POST,
        url="/a",
        headers={"X-A": "1"},
        params={"p": 1},
        json_data={"j": 1},
        cookies={"c": "v"},
        timeout=2.5,
    )
    assert original.with_url("/b") == dataclasses.replace(original, url="/b")
    assert original.with_headers({"x-a": "2"}) == dataclasses.replace(
        original, headers={"x-a": "2"}
    )
    assert original.with_params({"q": True}) == dataclasses.replace(
        original, params=[("p", "1"), ("q", "true")]
    )
    assert original.with_cookies({"d": "w"}).cookies == {"c": "v", "d": "w"}
    assert original.with_url("/b").timeout == 2.5
    assert type(original.with_url("/b")) is HttpRequest
