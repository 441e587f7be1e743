"""Pagination iterators over a real socket: Link, cursor and offset styles, sync and async.

Every test drives a real :class:`ApiClient` against the loopback server, so the
requests the server records are the ones the iterators really sent: their
query strings, their credentials, how many there were.  The async twins go
through a small client that implements ``SupportsAsyncExecute`` by running
``ApiClient.execute`` in a worker thread, over the same socket.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from pydantic import BaseModel, Field
from requestforge.api import ApiClient, ApiError, OperationScopes, SecurityRequirements
from requestforge.api import raise_api_error as _raise_api_error
from requestforge.auth import ApiKeyAuthHook, BearerTokenAuthHook
from requestforge.errors import ConfigurationError
from requestforge.models import HttpMethod, HttpRequest, HttpResponse
from requestforge.pagination import (
    CursorPagination,
    LinkPagination,
    OffsetPagination,
    Page,
    PaginationError,
    PaginationStyle,
    apaginate,
    apaginate_pages,
    paginate,
    paginate_pages,
    parse_link_header,
)

from tests.support.server import LoopbackServer, RecordedRequest, Reply

SECURITY = (("bearer",),)
MODES = ["sync", "async"]


class ListPetsError(ApiError):
    """What the generated operation declares for its 400 response."""


def parse_items(response: HttpResponse) -> list[Any]:
    """A generated ``parse_response`` + the items field: ``{"data": [...]}`` or a bare list."""
    if response.status_code != 200:
        _raise_api_error(response, {400: ListPetsError})
    body = response.json()
    return list(body["data"] if isinstance(body, dict) else body)


class ThreadedAsyncClient:
    """``SupportsAsyncExecute`` over a real socket: ``ApiClient.execute`` in a worker thread.

    Deliberately exposes no base URL, so the iterators fall back to the first
    response's origin as the one credentials belong to.
    """

    def __init__(self, client: ApiClient) -> None:
        self._client = client
        self.calls = 0

    async def execute(
        self,
        request: HttpRequest,
        *,
        security: SecurityRequirements = (),
        timeout: float | None = None,
        scopes: OperationScopes | None = None,
    ) -> HttpResponse:
        self.calls += 1
        return await asyncio.to_thread(
            self._client.execute, request, security=security, timeout=timeout, scopes=scopes
        )


@pytest.fixture
def client(server: LoopbackServer) -> Iterator[ApiClient]:
    with ApiClient(server.url, auth=BearerTokenAuthHook("tok-123")) as api:
        yield api


def get(url: str, **params: Any) -> HttpRequest:
    return HttpRequest(
        method=HttpMethod.GET, url=url, params=params or None, headers={"X-Trace": "t-1"}
    )


def drain(
    mode: str,
    client: ApiClient,
    request: HttpRequest,
    style: PaginationStyle,
    *,
    into: list[Any] | None = None,
    items: Callable[[HttpResponse], Sequence[Any]] = parse_items,
    max_pages: int | None = None,
) -> list[Any]:
    """Every item, through the sync or the async iterator; ``into`` keeps them on failure."""
    out = [] if into is None else into
    if mode == "sync":
        out.extend(
            paginate(
                client,
                request,
                style=style,
                items=items,
                security=SECURITY,
                max_pages=max_pages,
            )
        )
        return out

    async def run() -> None:
        iterator = apaginate(
            ThreadedAsyncClient(client),
            request,
            style=style,
            items=items,
            security=SECURITY,
            max_pages=max_pages,
        )
        async for item in iterator:
            out.append(item)

    asyncio.run(run())
    return out


def queries(server: LoopbackServer, path: str) -> list[dict[str, list[str]]]:
    return [r.query for r in server.requests_to(path)]


def assert_authed(requests: Sequence[RecordedRequest]) -> None:
    assert requests
    for recorded in requests:
        assert recorded.header("Authorization") == "Bearer tok-123"
        assert recorded.header("X-Trace") == "t-1"


# -- Link -------------------------------------------------------------------------


def github_pages(server: LoopbackServer) -> None:
    """Three pages: an absolute next link, then ``rel="next last"`` relative, then none."""
    base = server.url

    def handler(request: RecordedRequest) -> Reply:
        page = int(request.query.get("page", ["1"])[0])
        if page == 1:
            link = (
                f'<{base}/repos?page=2&per_page=2>; rel="next", '
                f'<{base}/repos?page=3&per_page=2>; rel="last"'
            )
        elif page == 2:
            link = (
                '</repos?page=1&per_page=2>; rel="prev first", '
                '</repos?page=3&per_page=2>; rel="next last"'
            )
        else:
            link = '</repos?page=2&per_page=2>; rel="prev", </repos?page=1&per_page=2>; rel="first"'
        data = {1: [1, 2], 2: [3, 4], 3: [5]}[page]
        return Reply.json(data, headers={"Link": link})

    server.route("GET", "/repos", handler)


@pytest.mark.parametrize("mode", MODES)
def test_link_follows_absolute_and_relative_next_links(
    mode: str, server: LoopbackServer, client: ApiClient
) -> None:
    github_pages(server)
    request = get("/repos", per_page=2)
    assert drain(mode, client, request, LinkPagination()) == [1, 2, 3, 4, 5]
    # The next URLs carry their own query: per_page is not appended a second time.
    assert queries(server, "/repos") == [
        {"per_page": ["2"]},
        {"page": ["2"], "per_page": ["2"]},
        {"page": ["3"], "per_page": ["2"]},
    ]
    assert_authed(server.requests)


def test_link_pages_carry_response_and_number(server: LoopbackServer, client: ApiClient) -> None:
    github_pages(server)
    pages = list(
        paginate_pages(
            client, get("/repos"), style=LinkPagination(), items=parse_items, security=SECURITY
        )
    )
    assert [(p.number, list(p.items)) for p in pages] == [(1, [1, 2]), (2, [3, 4]), (3, [5])]
    assert all(isinstance(p, Page) for p in pages)
    assert pages[2].response.url.endswith("/repos?page=3&per_page=2")


def test_link_query_only_relative_next(server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/v1/items",
        Reply.json([1], headers={"Link": '<?cursor=b>; rel="next"'}),
        Reply.json([2]),
    )
    assert drain("sync", client, get("/v1/items", q="x"), LinkPagination()) == [1, 2]
    assert queries(server, "/v1/items") == [{"q": ["x"]}, {"cursor": ["b"]}]


@pytest.mark.parametrize("mode", MODES)
def test_link_to_another_origin_is_refused(
    mode: str, server: LoopbackServer, client: ApiClient
) -> None:
    with LoopbackServer() as other:
        other.route("GET", "/*", Reply.json([99]))
        server.route(
            "GET", "/repos", Reply.json([1, 2], headers={"Link": f'<{other.url}/p2>; rel="next"'})
        )
        got: list[Any] = []
        with pytest.raises(PaginationError, match="leaves the origin") as raised:
            drain(mode, client, get("/repos"), LinkPagination(), into=got)
        assert got == [1, 2]  # the first page's items were delivered before the refusal
        assert other.requests == []  # the credentials never went there
        assert raised.value.url.endswith("/repos")
        assert other.url in str(raised.value)


def test_link_to_another_port_is_refused(server: LoopbackServer, client: ApiClient) -> None:
    # Same host, other port: another origin.
    server.route(
        "GET", "/repos", Reply.json([1], headers={"Link": '<http://127.0.0.1:1/p2>; rel="next"'})
    )
    with pytest.raises(PaginationError):
        drain("sync", client, get(f"{server.url}/repos"), LinkPagination())


def test_origin_is_the_requested_one_even_after_a_redirect(
    server: LoopbackServer, client: ApiClient
) -> None:
    # Page 1 is redirected to another origin (the runtime strips credentials on
    # that hop); that origin's next link must not get them either.
    with LoopbackServer() as other:
        other.queue(
            "GET",
            "/repos",
            Reply.json([1], headers={"Link": f'<{other.url}/repos?page=2>; rel="next"'}),
            Reply.json([2]),
        )
        server.route("GET", "/repos", Reply.redirect(f"{other.url}/repos"))
        got: list[Any] = []
        with pytest.raises(PaginationError, match="leaves the origin"):
            drain("sync", client, get("/repos"), LinkPagination(), into=got)
        assert got == [1]
        assert len(other.requests) == 1
        assert other.requests[0].header("Authorization") is None


def test_link_echoing_a_query_credential_does_not_duplicate_it(server: LoopbackServer) -> None:
    server.queue(
        "GET",
        "/repos",
        Reply.json([1], headers={"Link": '</repos?page=2&api_key=s3cret>; rel="next"'}),
        Reply.json([2]),
    )
    with ApiClient(server.url, auth=ApiKeyAuthHook("api_key", "s3cret", "query")) as api:
        items = list(
            paginate(
                api, get("/repos"), style=LinkPagination(), items=parse_items, security=SECURITY
            )
        )
    assert items == [1, 2]
    assert queries(server, "/repos")[1] == {"page": ["2"], "api_key": ["s3cret"]}


@pytest.mark.parametrize("mode", MODES)
def test_link_that_loops_raises(mode: str, server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/loop", Reply.json([1], headers={"Link": '</loop?page=2>; rel="next"'}))
    got: list[Any] = []
    with pytest.raises(PaginationError, match="again") as raised:
        drain(mode, client, get("/loop"), LinkPagination(), into=got)
    assert got == [1, 1]
    assert len(server.requests) == 2
    assert "/loop?page=2" in raised.value.url


def test_link_without_next_is_one_page(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/one", Reply.json([1, 2], headers={"Link": '</one?p=1>; rel="first"'}))
    assert drain("sync", client, get("/one"), LinkPagination()) == [1, 2]
    assert len(server.requests) == 1


# -- cursors ----------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_cursor_from_a_body_pointer(mode: str, server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/events",
        Reply.json({"data": [1, 2], "meta": {"next": "c2"}}),
        Reply.json({"data": [3, 4], "meta": {"next": "c3"}}),
        Reply.json({"data": [5], "meta": {"next": None}}),
    )
    style = CursorPagination(cursor_param="cursor", next_cursor="/meta/next")
    # The caller's own starting cursor is replaced, not repeated.
    request = get("/events", limit=2, cursor="c1")
    assert drain(mode, client, request, style) == [1, 2, 3, 4, 5]
    assert queries(server, "/events") == [
        {"limit": ["2"], "cursor": ["c1"]},
        {"limit": ["2"], "cursor": ["c2"]},
        {"limit": ["2"], "cursor": ["c3"]},
    ]
    assert_authed(server.requests)


def test_cursor_in_the_url_query_is_replaced(server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/events",
        Reply.json({"data": [1], "next_cursor": "b"}),
        Reply.json({"data": [2], "next_cursor": ""}),
    )
    style = CursorPagination(cursor_param="cursor", next_cursor="/next_cursor")
    assert drain("sync", client, get("/events?cursor=a&kind=x"), style) == [1, 2]
    assert queries(server, "/events")[1] == {"kind": ["x"], "cursor": ["b"]}


class Charge(BaseModel):
    charge_id: str = Field(alias="id")
    amount: int


def parse_charges(response: HttpResponse) -> list[Charge]:
    if response.status_code != 200:
        _raise_api_error(response, {400: ListPetsError})
    return [Charge.model_validate(item) for item in response.json()["data"]]


@pytest.mark.parametrize("mode", MODES)
def test_stripe_has_more_and_starting_after_last_id(
    mode: str, server: LoopbackServer, client: ApiClient
) -> None:
    server.queue(
        "GET",
        "/v1/charges",
        Reply.json(
            {"data": [{"id": "ch_1", "amount": 1}, {"id": "ch_2", "amount": 2}], "has_more": True}
        ),
        # has_more false ends it although the page is full.
        Reply.json(
            {"data": [{"id": "ch_3", "amount": 3}, {"id": "ch_4", "amount": 4}], "has_more": False}
        ),
        Reply.json({"data": [{"id": "never", "amount": 0}], "has_more": False}),
    )
    style = CursorPagination(
        cursor_param="starting_after", cursor_item_field="id", has_more="/has_more"
    )
    got = drain(mode, client, get("/v1/charges", limit=2), style, items=parse_charges)
    assert [c.charge_id for c in got] == ["ch_1", "ch_2", "ch_3", "ch_4"]
    assert queries(server, "/v1/charges") == [
        {"limit": ["2"]},
        {"limit": ["2"], "starting_after": ["ch_2"]},
    ]
    assert_authed(server.requests)


def test_cursor_item_field_on_plain_dicts(server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/things",
        Reply.json({"data": [{"id": 7}], "has_more": True}),
        Reply.json({"data": [{"id": 8}], "has_more": True}),
        Reply.json({"data": [], "has_more": True}),  # an empty page ends it whatever has_more says
    )
    style = CursorPagination(cursor_param="after", cursor_item_field="id", has_more="/has_more")
    assert drain("sync", client, get("/things"), style) == [{"id": 7}, {"id": 8}]
    assert [q.get("after") for q in queries(server, "/things")] == [None, ["7"], ["8"]]


def test_cursor_missing_has_more_stops(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/things", Reply.json({"data": [{"id": 1}]}))
    style = CursorPagination(cursor_param="after", cursor_item_field="id", has_more="/has_more")
    assert drain("sync", client, get("/things"), style) == [{"id": 1}]
    assert len(server.requests) == 1


def test_cursor_missing_from_body_stops(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/events", Reply.json({"data": [1, 2]}))
    style = CursorPagination(cursor_param="cursor", next_cursor="/meta/next")
    assert drain("sync", client, get("/events"), style) == [1, 2]
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_cursor_that_repeats_raises(mode: str, server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/events", Reply.json({"data": [1], "next": "same"}))
    style = CursorPagination(cursor_param="cursor", next_cursor="/next")
    got: list[Any] = []
    with pytest.raises(PaginationError, match="'same' again") as raised:
        drain(mode, client, get("/events"), style, into=got)
    assert got == [1, 1]
    assert len(server.requests) == 2
    assert "cursor=same" in raised.value.url


def test_cursor_cycle_longer_than_one_page_raises(
    server: LoopbackServer, client: ApiClient
) -> None:
    server.queue(
        "GET",
        "/events",
        Reply.json({"data": [1], "next": "a"}),
        Reply.json({"data": [2], "next": "b"}),
        Reply.json({"data": [3], "next": "a"}),
    )
    style = CursorPagination(cursor_param="cursor", next_cursor="/next")
    with pytest.raises(PaginationError):
        drain("sync", client, get("/events"), style)
    assert len(server.requests) == 3


# -- offsets and page numbers -------------------------------------------------------


def offset_handler(total: int) -> Callable[[RecordedRequest], Reply]:
    def handler(request: RecordedRequest) -> Reply:
        offset = int(request.query.get("offset", ["0"])[0])
        limit = int(request.query.get("limit", ["2"])[0])
        return Reply.json({"data": list(range(offset, min(offset + limit, total)))})

    return handler


@pytest.mark.parametrize("mode", MODES)
def test_offset_advances_by_items_and_stops_on_empty_page(
    mode: str, server: LoopbackServer, client: ApiClient
) -> None:
    server.route("GET", "/rows", offset_handler(total=5))
    style = OffsetPagination(offset_param="offset", limit_param="limit")
    assert drain(mode, client, get("/rows", limit=2), style) == [0, 1, 2, 3, 4]
    assert queries(server, "/rows") == [
        {"limit": ["2"]},
        {"limit": ["2"], "offset": ["2"]},
        {"limit": ["2"], "offset": ["4"]},
        {"limit": ["2"], "offset": ["5"]},  # the short page does not stop: the empty one does
    ]
    assert_authed(server.requests)


def test_offset_stop_on_short_page_saves_the_last_request(
    server: LoopbackServer, client: ApiClient
) -> None:
    server.route("GET", "/rows", offset_handler(total=5))
    style = OffsetPagination(offset_param="offset", limit_param="limit", stop_on_short_page=True)
    assert drain("sync", client, get("/rows", limit=2, offset=0), style) == [0, 1, 2, 3, 4]
    assert [q["offset"] for q in queries(server, "/rows")] == [["0"], ["2"], ["4"]]


def test_offset_short_page_without_limit_uses_first_page_size(
    server: LoopbackServer, client: ApiClient
) -> None:
    server.route("GET", "/rows", offset_handler(total=5))
    style = OffsetPagination(offset_param="offset", stop_on_short_page=True)
    assert drain("sync", client, get("/rows"), style) == [0, 1, 2, 3, 4]
    assert len(server.requests) == 3


def test_offset_starts_from_the_callers_offset(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/rows", offset_handler(total=5))
    style = OffsetPagination(offset_param="offset")
    assert drain("sync", client, get("/rows", offset=3), style) == [3, 4]
    assert [q["offset"] for q in queries(server, "/rows")] == [["3"], ["5"]]


def page_handler(pages: dict[int, list[int]], default: int = 1) -> Callable[..., Reply]:
    def handler(request: RecordedRequest) -> Reply:
        page = int(request.query.get("page", [str(default)])[0])
        return Reply.json(pages.get(page, []))

    return handler


@pytest.mark.parametrize("mode", MODES)
def test_page_numbers_advance_by_one(mode: str, server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/list", page_handler({1: [1, 2], 2: [3, 4], 3: [5]}))
    style = OffsetPagination(offset_param="page", kind="page", limit_param="per_page")
    assert drain(mode, client, get("/list", per_page=2), style) == [1, 2, 3, 4, 5]
    assert [q.get("page") for q in queries(server, "/list")] == [None, ["2"], ["3"], ["4"]]
    assert all(q["per_page"] == ["2"] for q in queries(server, "/list"))


def test_zero_based_pages_use_start(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/list", page_handler({0: [1], 1: [2]}, default=0))
    style = OffsetPagination(offset_param="page", kind="page", start=0)
    assert drain("sync", client, get("/list"), style) == [1, 2]
    assert [q.get("page") for q in queries(server, "/list")] == [None, ["1"], ["2"]]


def test_non_integer_offset_is_a_configuration_error(client: ApiClient) -> None:
    with pytest.raises(ConfigurationError, match="offset"):
        paginate(
            client,
            get("/rows", offset="abc"),
            style=OffsetPagination(offset_param="offset"),
            items=parse_items,
        )


# -- laziness, max_pages, errors ----------------------------------------------------


def endless(server: LoopbackServer) -> None:
    server.route("GET", "/endless", lambda r: Reply.json([r.query.get("page", ["1"])[0], "x"]))


def test_lazy_no_request_before_the_first_item(server: LoopbackServer, client: ApiClient) -> None:
    endless(server)
    style = OffsetPagination(offset_param="page", kind="page")
    iterator = paginate(client, get("/endless"), style=style, items=parse_items)
    pages = paginate_pages(client, get("/endless"), style=style, items=parse_items)
    assert server.requests == []
    assert next(iterator) == "1"
    assert len(server.requests) == 1
    assert next(iterator) == "x"  # the rest of the page: no new request
    assert len(server.requests) == 1
    assert next(pages).number == 1
    assert len(server.requests) == 2


def test_breaking_after_one_item_made_one_request(
    server: LoopbackServer, client: ApiClient
) -> None:
    endless(server)
    style = OffsetPagination(offset_param="page", kind="page")
    for _item in paginate(client, get("/endless"), style=style, items=parse_items):
        break
    assert len(server.requests) == 1


def test_async_is_lazy_and_breaks_cleanly(server: LoopbackServer, client: ApiClient) -> None:
    endless(server)
    wrapper = ThreadedAsyncClient(client)
    style = OffsetPagination(offset_param="page", kind="page")

    async def run() -> list[Any]:
        iterator = apaginate(wrapper, get("/endless"), style=style, items=parse_items)
        await asyncio.sleep(0)
        assert wrapper.calls == 0
        got = []
        async for item in iterator:
            got.append(item)
            break
        return got

    assert asyncio.run(run()) == ["1"]
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_max_pages(mode: str, server: LoopbackServer, client: ApiClient) -> None:
    endless(server)
    style = OffsetPagination(offset_param="page", kind="page")
    assert drain(mode, client, get("/endless"), style, max_pages=2) == ["1", "x", "2", "x"]
    assert len(server.requests) == 2


@pytest.mark.parametrize("bad", [0, -1])
def test_max_pages_is_checked_at_call_time(client: ApiClient, bad: int) -> None:
    with pytest.raises(ConfigurationError, match="max_pages"):
        paginate(client, get("/x"), style=LinkPagination(), items=parse_items, max_pages=bad)
    with pytest.raises(ConfigurationError, match="max_pages"):
        apaginate(
            ThreadedAsyncClient(client),
            get("/x"),
            style=LinkPagination(),
            items=parse_items,
            max_pages=bad,
        )


@pytest.mark.parametrize("mode", MODES)
def test_error_on_page_two_is_the_operations_error(
    mode: str, server: LoopbackServer, client: ApiClient
) -> None:
    server.queue(
        "GET",
        "/events",
        Reply.json({"data": [1, 2], "next": "c2"}),
        Reply.json({"message": "cursor expired"}, status=400),
    )
    style = CursorPagination(cursor_param="cursor", next_cursor="/next")
    got: list[Any] = []
    with pytest.raises(ListPetsError, match="cursor expired") as raised:
        drain(mode, client, get("/events"), style, into=got)
    assert got == [1, 2]
    assert raised.value.status_code == 400


def test_security_none_sends_no_credentials(server: LoopbackServer, client: ApiClient) -> None:
    server.route("GET", "/rows", offset_handler(total=3))
    list(
        paginate(
            client, get("/rows"), style=OffsetPagination(offset_param="offset"), items=parse_items
        )
    )
    assert len(server.requests) == 3
    assert all(r.header("Authorization") is None for r in server.requests)


def test_timeout_and_scopes_reach_every_page(server: LoopbackServer, client: ApiClient) -> None:
    server.queue("GET", "/rows", Reply.json([1]), Reply.json([2]), Reply.json([]))
    seen: list[tuple[float | None, OperationScopes | None]] = []

    class Recording:
        def execute(
            self,
            request: HttpRequest,
            *,
            security: SecurityRequirements = (),
            timeout: float | None = None,
            scopes: OperationScopes | None = None,
        ) -> HttpResponse:
            seen.append((timeout, scopes))
            return client.execute(request, security=security, timeout=timeout, scopes=scopes)

    style = OffsetPagination(offset_param="page", kind="page")
    scopes = {"bearer": ["read"]}
    got = paginate(
        Recording(), get("/rows"), style=style, items=parse_items, timeout=5.0, scopes=scopes
    )
    assert list(got) == [1, 2]
    assert seen == [(5.0, scopes)] * 3


# -- styles ------------------------------------------------------------------------


def test_cursor_style_needs_a_source_and_forgives_pointer_spellings() -> None:
    with pytest.raises(ConfigurationError, match="next_cursor or cursor_item_field"):
        CursorPagination(cursor_param="cursor")
    with pytest.raises(ConfigurationError, match="cursor_param"):
        CursorPagination(cursor_param="", next_cursor="/n")
    assert CursorPagination(cursor_param="c", next_cursor="meta/next").next_cursor == "/meta/next"
    assert CursorPagination(cursor_param="c", next_cursor="#/a%20b").next_cursor == "/a b"
    assert CursorPagination(cursor_param="c", next_cursor="", has_more="more").has_more == "/more"


def test_offset_style_is_validated() -> None:
    with pytest.raises(ConfigurationError, match="offset_param"):
        OffsetPagination(offset_param="")
    with pytest.raises(ConfigurationError, match="kind"):
        OffsetPagination(offset_param="p", kind="pages")  # type: ignore[arg-type]


def test_body_cursor_first_then_last_item(server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/mixed",
        Reply.json({"data": [{"id": "a"}], "next": "from-body"}),
        Reply.json({"data": [{"id": "b"}], "next": None}),
        Reply.json({"data": []}),
    )
    style = CursorPagination(cursor_param="after", next_cursor="/next", cursor_item_field="id")
    assert drain("sync", client, get("/mixed"), style) == [{"id": "a"}, {"id": "b"}]
    assert [q.get("after") for q in queries(server, "/mixed")] == [None, ["from-body"], ["b"]]


def test_json_pointer_escapes_and_arrays(server: LoopbackServer, client: ApiClient) -> None:
    server.queue(
        "GET",
        "/p",
        Reply.json({"data": [1], "a/b": [{"~c": "n2"}]}),
        Reply.json({"data": [2], "a/b": [{"~c": None}]}),
    )
    style = CursorPagination(cursor_param="c", next_cursor="/a~1b/0/~0c")
    assert drain("sync", client, get("/p"), style) == [1, 2]
    assert queries(server, "/p")[1] == {"c": ["n2"]}


# -- parse_link_header -----------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", {}),
        ("   ", {}),
        ('<https://a/?page=2>; rel="next"', {"next": "https://a/?page=2"}),
        ("<https://a/2>; rel=next", {"next": "https://a/2"}),
        ('<https://a/2>; rel="NEXT"', {"next": "https://a/2"}),
        ('<https://a/3>; rel="next last"', {"next": "https://a/3", "last": "https://a/3"}),
        ('<https://a/3>;rel="  next   last "', {"next": "https://a/3", "last": "https://a/3"}),
        (
            '<https://a/?ids=1,2;x>; rel="next", <https://a/?ids=9,9>; rel="last"',
            {"next": "https://a/?ids=1,2;x", "last": "https://a/?ids=9,9"},
        ),
        (
            '<https://a/2>; title="a, b; c=\\"d\\""; rel="next"',
            {"next": "https://a/2"},
        ),
        ('<https://a/2>; rel="next"; rel="prev"', {"next": "https://a/2"}),
        ('<https://a/2>; rel="next", <https://a/9>; rel="next"', {"next": "https://a/2"}),
        (
            "<https://a/2>; rel=\"next\",\n <https://a/1>; rel='prev'",
            {"next": "https://a/2", "prev": "https://a/1"},
        ),
        (
            '<https://a/2>; anchor="#x"; rel="next", <https://a/3>; rel="last"',
            {"last": "https://a/3"},
        ),
        ('</rel/2>; rel="next"', {"next": "/rel/2"}),
        (
            '<https://a/2>; rel="https://example.com/Rel next"',
            {"https://example.com/Rel": "https://a/2", "next": "https://a/2"},
        ),
        ("<https://a/2>; hreflang; rel=next", {"next": "https://a/2"}),
        ("<https://a/2>", {}),
        # Malformed parts are skipped; the well-formed ones around them still count.
        ('garbage, <https://a/2>; rel="next"', {"next": "https://a/2"}),
        ('<https://a/1>; rel="prev" junk, <https://a/2>; rel="next"', {"next": "https://a/2"}),
        ('<https://a/2; rel="next"', {}),
        ('<https://a/2>; rel="next', {}),
        ('<https://a/1>; title="x, <https://a/2>; rel="next"', {}),
        (";;;,,,<>", {}),
        ('<https://a/2>; rel="next",', {"next": "https://a/2"}),
        ('"quoted, <not a link>", <https://a/2>; rel=next', {"next": "https://a/2"}),
        ("<https://a/2>; =x; rel=next", {"next": "https://a/2"}),
    ],
)
def test_parse_link_header(header: str, expected: dict[str, str]) -> None:
    assert parse_link_header(header) == expected


def test_parse_link_header_never_raises_on_noise() -> None:
    import random

    rng = random.Random(8288)
    alphabet = '<>;,="\\ \trelnxt:/?&'
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        result = parse_link_header(text)
        assert isinstance(result, dict)


# -- against the real AsyncApiClient, when it exists ---------------------------------


def _async_api() -> Any:
    try:
        from requestforge import async_api
    except ImportError:
        return None
    return async_api


@pytest.mark.skipif(_async_api() is None, reason="runtime/async_api.py has not landed")
def test_real_async_api_client_link_and_cursor(server: LoopbackServer) -> None:
    github_pages(server)
    server.queue(
        "GET",
        "/events",
        Reply.json({"data": [1], "next": "c2"}),
        Reply.json({"data": [2], "next": None}),
    )
    async_api = _async_api()

    async def run() -> tuple[list[Any], list[int]]:
        async with async_api.AsyncApiClient(server.url, auth=BearerTokenAuthHook("tok-123")) as api:
            links = [
                item
                async for item in apaginate(
                    api, get("/repos"), style=LinkPagination(), items=parse_items, security=SECURITY
                )
            ]
            numbers = [
                page.number
                async for page in apaginate_pages(
                    api,
                    get("/events"),
                    style=CursorPagination(cursor_param="cursor", next_cursor="/next"),
                    items=parse_items,
                    security=SECURITY,
                )
            ]
            return links, numbers

    links, numbers = asyncio.run(run())
    assert links == [1, 2, 3, 4, 5]
    assert numbers == [1, 2]
    assert_authed(server.requests)
