"""The runtime support generated clients call: security selection over a real
socket, the parameter and body encoders, the typed errors, open enums."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from enum import Enum
from typing import Any
from urllib.parse import quote

import pytest
from pydantic import BaseModel, ConfigDict, Field
from requestforge import (
    ApiClient,
    ApiError,
    ApiKeyAuthHook,
    ApiResponse,
    BadRequestError,
    BasicAuthHook,
    Endpoint,
    Headers,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    HttpResponse,
    InvalidRequestError,
    MissingCredentialsError,
    NotFoundError,
    OpenEnum,
    RateLimitError,
    Resource,
    ServerError,
    UnauthorizedError,
    cookie_param,
    error_class_for,
    form_body,
    header_param,
    multipart_body,
    parse_json,
    path_param,
    query_param,
    raise_api_error,
    to_json,
)

from tests.support.server import LoopbackServer, Reply


class Color(OpenEnum, str, Enum):
    RED = "red"
    GREEN = "green"


class Level(OpenEnum, int, Enum):
    LOW = 1
    HIGH = 2


class Tag(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    tag_id: int = Field(alias="tagId")
    label: str | None = None


class Painted(BaseModel):
    color: Color
    level: Level | None = None


# -- HttpClient.execute(auth=) ------------------------------------------------------


def test_execute_auth_override_none_and_default(server: LoopbackServer) -> None:
    server.route("GET", "/x", Reply.json({}))
    config = (
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_api_key("cfg", name="X-Key")
        .with_no_retry()
        .build()
    )
    with HttpClient(config) as client:
        client.execute(HttpRequest(method=HttpMethod.GET, url="/x"))
        client.execute(HttpRequest(method=HttpMethod.GET, url="/x"), auth=None)
        client.execute(
            HttpRequest(method=HttpMethod.GET, url="/x"),
            auth=ApiKeyAuthHook("X-Other", "call"),
        )
    first, second, third = server.requests
    assert first.header("X-Key") == "cfg"
    assert second.header("X-Key") is None
    assert third.header("X-Key") is None
    assert third.header("X-Other") == "call"


# -- ApiClient security selection ------------------------------------------------


def _get(path: str = "/pets") -> HttpRequest:
    return HttpRequest(method=HttpMethod.GET, url=path)


def test_single_auth_hook_used_for_secured_operations_only(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))
    with ApiClient(server.url, auth=ApiKeyAuthHook("X-Key", "k")) as client:
        client.execute(_get(), security=(("api_key",), ("oauth",)))
        client.execute(_get(), security=())
        client.execute(_get(), security=((), ("api_key",)))
    secured, public, optional = server.requests
    assert secured.header("X-Key") == "k"
    assert public.header("X-Key") is None
    assert optional.header("X-Key") == "k"  # credentials sent when the client has them


def test_anonymous_alternative_sends_nothing_without_credentials(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))
    with ApiClient(server.url) as client:
        client.execute(_get(), security=(("api_key",), ()))
    assert server.requests[0].header("X-Key") is None


def test_missing_credentials_raised_before_any_request(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))
    client = ApiClient(server.url, auth_by_scheme={"basic": BasicAuthHook("u", "p")})
    with pytest.raises(MissingCredentialsError) as caught:
        client.execute(_get(), security=(("api_key",), ("oauth", "basic")))
    assert "'api_key'" in str(caught.value)
    assert "auth=" in str(caught.value)
    assert caught.value.requirements == (("api_key",), ("oauth", "basic"))
    assert server.requests == []


def test_per_scheme_hooks_and_composite_for_and(server: LoopbackServer) -> None:
    server.route("GET", "/pets", Reply.json([]))
    client = ApiClient(
        server.url,
        auth_by_scheme={
            "key": ApiKeyAuthHook("X-Key", "k"),
            "basic": BasicAuthHook("u", "p"),
        },
    )
    client.execute(_get(), security=(("oauth",), ("key", "basic")))
    client.execute(_get(), security=(("basic",),))
    both, basic_only = server.requests
    assert both.header("X-Key") == "k"
    assert (both.header("Authorization") or "").startswith("Basic ")
    assert basic_only.header("X-Key") is None
    assert basic_only.header("Authorization") is not None


def test_execute_timeout_overrides_and_http_client_is_reused(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(status=200, delay=0.5))
    http = HttpClient(
        HttpClientConfigBuilder()
        .with_base_url(server.url)
        .with_api_key("cfg", name="X-Key")
        .with_no_retry()
        .build()
    )
    client = ApiClient(http_client=http)
    assert client.http_client is http
    with pytest.raises(Exception, match=r"(?i)timed? ?out"):
        client.execute(_get("/slow"), security=(("any",),), timeout=0.1)
    client.close()  # not ours to close: the shared client still works
    server.route("GET", "/pets", Reply.json([]))
    client.execute(_get(), security=(("any",),))
    assert server.requests_to("/pets")[0].header("X-Key") == "cfg"
    http.close()


def test_http_client_with_base_url_is_refused() -> None:
    with pytest.raises(InvalidRequestError):
        ApiClient("http://a.example", http_client=HttpClient())


# -- Endpoint / Resource -------------------------------------------------------------


def _sync(client: ApiClient, *, pet_id: int) -> dict[str, Any]:
    return _sync_detailed(client, pet_id=pet_id).parsed


def _sync_detailed(client: ApiClient, *, pet_id: int) -> ApiResponse[dict[str, Any]]:
    """Find a pet."""
    response = client.execute(_get(f"/pets/{path_param(pet_id)}"), security=())
    if response.status_code != 200:
        raise_api_error(response, {404: NotFoundError})
    parsed: dict[str, Any] = parse_json(response.content, dict[str, Any])
    return ApiResponse.of(response, parsed)


class _PetApi(Resource):
    get_pet = Endpoint(_sync, _sync_detailed)


def test_endpoint_calls_sync_and_with_raw_response(server: LoopbackServer) -> None:
    server.route("GET", "/pets/7", Reply.json({"id": 7}, headers={"X-Trace": "t"}))
    pets = _PetApi(ApiClient(server.url))
    assert pets.get_pet(pet_id=7) == {"id": 7}
    raw = pets.get_pet.with_raw_response(pet_id=7)
    assert raw.status_code == 200
    assert raw.headers["x-trace"] == "t"
    assert raw.parsed == {"id": 7}
    assert raw.raw.content == b'{"id": 7}'
    assert isinstance(_PetApi.get_pet, Endpoint)
    with pytest.raises(NotFoundError) as caught:
        pets.get_pet(pet_id=8)
    assert caught.value.status_code == 404


# -- errors ----------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: int
    message: str


class GetPetNotFoundError(NotFoundError):
    model = ErrorBody


class AnyClientError(ApiError):
    model = list[int]


def _response(status: int, body: bytes = b"", reason: str = "") -> HttpResponse:
    return HttpResponse(
        status_code=status,
        headers=Headers({"Content-Type": "application/json"}),
        content=body,
        url="https://api.example/pets?api_key=secret",
        reason=reason,
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, UnauthorizedError),
        (404, NotFoundError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, ApiError),
        (302, ApiError),
    ],
)
def test_error_class_for(status: int, cls: type[ApiError]) -> None:
    assert error_class_for(status) is cls


def test_declared_error_parses_model() -> None:
    with pytest.raises(GetPetNotFoundError) as caught:
        raise_api_error(
            _response(404, b'{"code": 4, "message": "gone"}', "Not Found"),
            {404: GetPetNotFoundError},
        )
    error = caught.value
    assert error.parsed == ErrorBody(code=4, message="gone")
    assert error.status_code == 404
    assert error.headers["content-type"] == "application/json"
    assert "404 Not Found" in str(error)
    assert "secret" not in str(error)


def test_range_and_default_keys_and_fallbacks() -> None:
    declared: dict[int | str, type[ApiError]] = {"4XX": AnyClientError, "default": ServerError}
    with pytest.raises(AnyClientError) as caught:
        raise_api_error(_response(409, b"[1, 2]"), declared)
    assert caught.value.parsed == [1, 2]
    with pytest.raises(ServerError):
        raise_api_error(_response(502, b"oops"), declared)
    with pytest.raises(RateLimitError) as undeclared:
        raise_api_error(_response(429, b"slow down"))
    assert undeclared.value.parsed is None
    assert undeclared.value.content == b"slow down"


class GetRecordsDefaultError(ApiError):
    """What a generator writes for an operation that declares only ``default``."""

    model = ErrorBody


class GetRecords4XXError(ApiError):
    model = ErrorBody


@pytest.mark.parametrize(
    ("status", "family"),
    [(404, NotFoundError), (429, RateLimitError), (503, ServerError), (401, UnauthorizedError)],
)
def test_a_default_or_range_error_is_also_its_status_family(
    status: int, family: type[ApiError]
) -> None:
    body = b'{"code": 7, "message": "no"}'
    for declared in ({"default": GetRecordsDefaultError}, {"4XX": GetRecords4XXError}):
        if "4XX" in declared and status >= 500:
            continue
        (cls,) = declared.values()
        with pytest.raises(family) as caught:
            raise_api_error(_response(status, body), declared)
        error = caught.value
        assert isinstance(error, cls)
        assert type(error).__name__ == cls.__name__
        assert error.parsed == ErrorBody(code=7, message="no")  # still parsed as declared
        with pytest.raises(cls) as again:
            raise_api_error(_response(status, body), declared)
        assert type(again.value) is type(error)  # one combined class per pair


def test_a_status_without_a_family_keeps_the_declared_class() -> None:
    with pytest.raises(GetRecordsDefaultError) as caught:
        raise_api_error(_response(418, b"{}"), {"default": GetRecordsDefaultError})
    assert type(caught.value) is GetRecordsDefaultError


def test_body_not_matching_model_keeps_error_with_raw_body() -> None:
    with pytest.raises(GetPetNotFoundError) as caught:
        raise_api_error(_response(404, b"<html>no</html>"), {404: GetPetNotFoundError})
    assert caught.value.parsed is None
    assert caught.value.content == b"<html>no</html>"


# -- path parameters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("100%", "100%25"),
        ("sp ace", "sp%20ace"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("a;b,c=d", "a%3Bb%2Cc%3Dd"),
        ("~user_1.x-y", "~user_1.x-y"),
        (True, "true"),
        (3, "3"),
        (2.5, "2.5"),
        (Color.RED, "red"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (
            dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
            "2024-01-02T03%3A04%3A05%2B00%3A00",
        ),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (["a/b", "c"], "a%2Fb,c"),
    ],
)
def test_path_param_simple(value: Any, encoded: str) -> None:
    assert path_param(value, "simple") == encoded


def test_path_param_shortcut_for_ids_encodes_like_the_general_path() -> None:
    """ints and unreserved-only strings skip quoting; every value must still encode alike."""
    rng = random.Random(8)
    alphabet = "aZ09-._~/%?# ü;,="
    values: list[Any] = [*range(-300, 300), 10**30, -(10**30)]
    values += [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8))) for _ in range(600)
    ]
    for value in values:
        text = str(value)
        if text in ("", ".", ".."):
            continue
        assert path_param(value, "simple") == quote(text, safe=""), value


@pytest.mark.parametrize("hostile", ["", ".", "..", Color("..")])
def test_path_param_refuses_dot_segments(hostile: Any) -> None:
    with pytest.raises(InvalidRequestError, match="would change the request path"):
        path_param(hostile, "simple", name="pet_id")


def test_path_param_styles() -> None:
    assert path_param({"a": 1, "b": "x/y"}, "simple") == "a,1,b,x%2Fy"
    assert path_param({"a": 1, "b": 2}, "simple", explode=True) == "a=1,b=2"
    assert path_param(["a", "b"], "label") == ".a,b"
    assert path_param(["a", "b"], "label", explode=True) == ".a.b"
    assert path_param("x", "label") == ".x"
    assert path_param(["a", "b"], "matrix", name="id") == ";id=a,b"
    assert path_param(["a", "b"], "matrix", name="id", explode=True) == ";id=a;id=b"
    assert path_param({"r": 1, "g": 2}, "matrix", name="c", explode=True) == ";r=1;g=2"
    with pytest.raises(InvalidRequestError):
        path_param(None)
    with pytest.raises(InvalidRequestError):
        path_param(1, "form")


def test_hostile_path_values_stay_one_segment_on_the_wire(server: LoopbackServer) -> None:
    server.route("GET", "/files/*", Reply.json({}))
    client = ApiClient(server.url + "/api")
    for value in ["../x", "a/b", "..%2F..", "?q=1", "#frag", "%2e%2e"]:
        client.execute(_get(f"/files/{path_param(value)}"))
    received = [request.path for request in server.requests]
    assert all(path.startswith("/api/files/") for path in received), received
    assert all(path.count("/") == 3 for path in received), received


# -- query, header, cookie -------------------------------------------------------


def test_query_param_styles() -> None:
    assert query_param("x", None) == []
    assert query_param("x", [1, 2], "form_explode") == [("x", "1"), ("x", "2")]
    assert query_param("x", [1, 2], "form") == [("x", "1,2")]
    assert query_param("x", ["a", "b"], "space_delimited") == [("x", "a b")]
    assert query_param("x", ["a", "b"], "pipe_delimited") == [("x", "a|b")]
    assert query_param("x", {"a": 1, "b": True}, "form_explode") == [("a", "1"), ("b", "true")]
    assert query_param("x", {"a": 1, "b": None}, "form") == [("x", "a,1")]
    assert query_param("f", {"a": 1, "n": {"m": "z"}}, "deep_object") == [
        ("f[a]", "1"),
        ("f[n][m]", "z"),
    ]
    assert query_param("q", {"a": [1, None]}, "json") == [("q", '{"a":[1,null]}')]
    assert query_param("b", False) == [("b", "false")]
    assert query_param("t", Tag(tagId=3), "form_explode") == [("tagId", "3")]
    assert query_param("e", [Color.RED, Color("new")]) == [("e", "red"), ("e", "new")]
    with pytest.raises(InvalidRequestError):
        query_param("x", 1, "matrix")
    with pytest.raises(InvalidRequestError):
        query_param("x", float("nan"))


def test_query_pairs_go_over_the_wire(server: LoopbackServer) -> None:
    server.route("GET", "/q", Reply.json({}))
    client = ApiClient(server.url)
    params = [*query_param("tags", ["a&b", "c"]), *query_param("f", {"k": "v w"}, "deep_object")]
    client.execute(HttpRequest(method=HttpMethod.GET, url="/q", params=params))
    assert server.requests[0].query == {"tags": ["a&b", "c"], "f[k]": ["v w"]}


def test_header_and_cookie_params() -> None:
    assert header_param(None) is None
    assert header_param([1, 2]) == "1,2"
    assert header_param({"a": 1}, explode=True) == "a=1"
    assert header_param(True) == "true"
    with pytest.raises(InvalidRequestError):
        header_param("a\r\nX-Evil: 1")
    assert cookie_param(["a", "b"]) == "a,b"
    assert cookie_param(None) is None
    with pytest.raises(InvalidRequestError):
        cookie_param("a; evil=1")


# -- bodies ----------------------------------------------------------------------


class Update(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    name: str | None = None
    photo_urls: list[str] | None = Field(default=None, alias="photoUrls")
    born: dt.date | None = None


def test_to_json_keeps_unset_and_explicit_null_apart() -> None:
    assert to_json(Update(name=None)) == {"name": None}
    assert to_json(Update(photo_urls=["u"])) == {"photoUrls": ["u"]}
    assert to_json([Update(born=dt.date(2020, 1, 1))]) == [{"born": "2020-01-01"}]
    assert to_json({"c": Color.RED, "u": uuid.UUID(int=0)}) == {
        "c": "red",
        "u": "00000000-0000-0000-0000-000000000000",
    }


def test_form_and_multipart_bodies(server: LoopbackServer) -> None:
    assert form_body(Update(name="n", photo_urls=["a", "b"])) == {
        "name": "n",
        "photoUrls": ["a", "b"],
    }
    assert form_body(None) is None
    with pytest.raises(InvalidRequestError):
        form_body(3)
    data, files = multipart_body({"meta": {"a": 1}, "file": ("x.txt", b"hi", "text/plain")})
    assert data == {"meta": '{"a":1}'}
    assert files == {"file": ("x.txt", b"hi", "text/plain")}
    server.route("POST", "/up", Reply.json({}))
    ApiClient(server.url).execute(
        HttpRequest(method=HttpMethod.POST, url="/up", data=data, files=files)
    )
    body = server.requests[0].body
    assert b'name="meta"' in body
    assert b'filename="x.txt"' in body
    assert b"hi" in body


def test_parse_json_caches_adapters_and_validates() -> None:
    from requestforge import encoding

    assert parse_json(b'[{"tagId": 1}]', list[Tag]) == [Tag(tag_id=1)]
    cached = encoding._ADAPTERS[list[Tag]]
    assert parse_json(b"[]", list[Tag]) == []
    assert encoding._ADAPTERS[list[Tag]] is cached
    assert parse_json('{"color": "blue"}', Painted).color == "blue"
    with pytest.raises(ValueError, match="tagId"):
        parse_json(b"[{}]", list[Tag])


# -- open enums ------------------------------------------------------------------


def test_open_enum_unknown_values_round_trip() -> None:
    painted = Painted.model_validate_json('{"color": "ultraviolet", "level": 9}')
    assert painted.color == "ultraviolet"
    assert painted.level == 9
    assert not painted.color.is_known
    assert Color.RED.is_known
    assert Color("ultraviolet") is painted.color
    assert painted.model_dump_json() == '{"color":"ultraviolet","level":9}'
    assert list(Color) == [Color.RED, Color.GREEN]
    assert Painted(color=Color.GREEN).color is Color.GREEN


def test_open_enum_refuses_wrong_value_types() -> None:
    with pytest.raises(ValueError, match="Color"):
        Color(3)
    with pytest.raises(ValueError, match="Level"):
        Level("high")
    assert Level(2.0) is Level.HIGH  # an equal value finds the member, as Enum does


def test_exhausted_retries_on_a_status_return_the_last_response(server: LoopbackServer) -> None:
    server.route("GET", "/down", Reply(status=503, body=b"down"))
    http = HttpClient(
        HttpClientConfigBuilder().with_base_url(server.url).with_retry(2, base_delay=0.01).build()
    )
    response = ApiClient(http_client=http).execute(_get("/down"))
    assert response.status_code == 503
    assert len(server.requests) == 3
    with pytest.raises(ServerError):
        raise_api_error(response)


def test_api_client_builds_its_http_client(server: LoopbackServer) -> None:
    server.route("GET", "/v2/pets", Reply.json([]))

    class PetClient(ApiClient):
        default_base_url = server.url + "/v2"

    with PetClient(headers={"X-Client": "tests"}, timeout=5.0) as client:
        assert client.http_client.config.default_timeout == 5.0
        client.execute(_get())
        assert "PetClient" in repr(client)
    assert server.requests[0].path == "/v2/pets"
    assert server.requests[0].header("X-Client") == "tests"
