"""``context.Local`` (seed 003) and the correlation-id context variable."""

from __future__ import annotations

import asyncio
import importlib
import shutil
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from requestforge import (
    ConfigurationError,
    CorrelationIdHook,
    HttpClient,
    HttpClientConfigBuilder,
    HttpMethod,
    HttpRequest,
    Local,
    context,
    correlation_id_scope,
    get_correlation_id,
    set_correlation_id,
)
from requestforge.context import (
    DEFAULT_CORRELATION_HEADER,
    MAX_REQUEST_ID_LENGTH,
    get_request_metadata,
    is_valid_request_id,
    new_request_id,
    outgoing_correlation_headers,
    request_id_or_new,
    request_metadata_scope,
    reset_correlation_id,
)

from tests.support.server import LoopbackServer, Reply

RUNTIME_DIR = Path(context.__file__).parent


def _in_thread(function: Callable[[], Any]) -> Any:
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(function())
        except BaseException as error:  # re-raised in the caller
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=10)
    if errors:
        raise errors[0]
    return result[0]


def _read(local: Local, name: str = "value") -> Any:
    return getattr(local, name, "<unset>")


def test_unset_attributes_raise_attribute_error() -> None:
    local = Local()
    with pytest.raises(AttributeError):
        _ = local.missing
    assert not hasattr(local, "missing")
    with pytest.raises(AttributeError):
        del local.missing


def test_set_read_and_delete() -> None:
    local = Local()
    local.value = 1
    local.other = "x"
    assert (local.value, local.other) == (1, "x")
    del local.value
    assert _read(local) == "<unset>"
    assert local.other == "x"


def test_two_locals_are_independent() -> None:
    first, second = Local(), Local()
    first.value = "first"
    assert _read(second) == "<unset>"


def test_asyncio_tasks_are_isolated() -> None:
    local = Local()

    async def task(name: str, pause: float) -> list[Any]:
        local.value = name
        await asyncio.sleep(pause)  # the other task writes meanwhile
        seen = [local.value]
        local.value = f"{name}-again"
        await asyncio.sleep(0.01)
        seen.append(local.value)
        return seen

    async def main() -> list[list[Any]]:
        return list(await asyncio.gather(task("a", 0.02), task("b", 0.0)))

    assert asyncio.run(main()) == [["a", "a-again"], ["b", "b-again"]]


def test_child_tasks_inherit_a_snapshot_and_do_not_write_back() -> None:
    local = Local()

    async def child() -> Any:
        inherited = local.value
        local.value = "child"
        local.extra = "child-only"
        return inherited

    async def main() -> tuple[Any, Any, Any]:
        local.value = "parent"
        inherited = await asyncio.create_task(child())
        return inherited, local.value, _read(local, "extra")

    assert asyncio.run(main()) == ("parent", "parent", "<unset>")


def test_threads_are_isolated() -> None:
    local = Local()
    local.value = "main"

    def other_thread() -> tuple[Any, Any]:
        before = _read(local)
        local.value = "thread"
        return before, local.value

    assert _in_thread(other_thread) == ("<unset>", "thread")
    assert local.value == "main"


def test_values_follow_a_task_into_to_thread() -> None:
    local = Local()

    async def main() -> Any:
        local.value = "from-task"
        return await asyncio.to_thread(lambda: _read(local))

    assert asyncio.run(main()) == "from-task"


def test_thread_critical_is_shared_by_tasks_of_one_thread() -> None:
    local = Local(thread_critical=True)

    async def writer() -> None:
        local.value = "written-by-writer"

    async def main() -> Any:
        await asyncio.create_task(writer())
        return local.value  # a plain thread-local: the sibling task's write is visible

    assert asyncio.run(main()) == "written-by-writer"


def test_thread_critical_is_isolated_between_threads() -> None:
    local = Local(thread_critical=True)
    local.value = "main"

    async def in_worker() -> Any:
        return await asyncio.to_thread(lambda: _read(local))

    assert _in_thread(lambda: _read(local)) == "<unset>"
    assert asyncio.run(in_worker()) == "<unset>"  # unlike the default, not carried over
    assert local.value == "main"
    del local.value
    with pytest.raises(AttributeError):
        del local.value


def test_correlation_id_scope_nests_and_restores() -> None:
    assert get_correlation_id() is None
    with correlation_id_scope("outer") as outer:
        assert outer == "outer"
        seen: list[str | None] = []

        def fail_inside() -> None:
            with correlation_id_scope("inner"):
                seen.append(get_correlation_id())
                raise RuntimeError

        with pytest.raises(RuntimeError):
            fail_inside()
        assert seen == ["inner"]
        assert get_correlation_id() == "outer"
    assert get_correlation_id() is None


def test_set_correlation_id_returns_a_reset_token() -> None:
    from requestforge.context import _correlation_id

    token = set_correlation_id("manual")
    try:
        assert get_correlation_id() == "manual"
    finally:
        _correlation_id.reset(token)
    assert get_correlation_id() is None


def test_correlation_ids_are_isolated_between_tasks_and_threads() -> None:
    async def task(name: str) -> Any:
        with correlation_id_scope(name):
            await asyncio.sleep(0.01)
            return get_correlation_id()

    async def main() -> list[Any]:
        return list(await asyncio.gather(task("t1"), task("t2")))

    assert asyncio.run(main()) == ["t1", "t2"]
    with correlation_id_scope("main"):
        assert _in_thread(get_correlation_id) is None


# -- one set of per-request variables per process, whatever the number of copies ---------


@pytest.fixture
def vendored_copy(tmp_path: Path) -> Iterator[ModuleType]:
    """A second copy of the runtime, as a generated client vendors it (``sdk._runtime``)."""
    package = f"vendored_sdk_{uuid.uuid4().hex[:8]}"
    target = tmp_path / package / "_runtime"
    shutil.copytree(RUNTIME_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / package / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(f"{package}._runtime.context")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == package or n.startswith(f"{package}.")]:
            del sys.modules[name]


def test_a_vendored_copy_shares_the_correlation_id_and_metadata(vendored_copy: ModuleType) -> None:
    assert vendored_copy is not context
    assert vendored_copy.__file__ != context.__file__
    with correlation_id_scope("from-installed"):
        assert vendored_copy.get_correlation_id() == "from-installed"
    with vendored_copy.correlation_id_scope("from-vendored"):
        assert get_correlation_id() == "from-vendored"
    with vendored_copy.request_metadata_scope(path="/v"):
        assert get_request_metadata() == {"path": "/v"}
    assert get_correlation_id() is None
    assert get_request_metadata() == {}


def test_a_vendored_clients_call_carries_the_installed_middlewares_id(
    vendored_copy: ModuleType, server: LoopbackServer
) -> None:
    server.route("GET", "/x", Reply.json({}))
    runtime = importlib.import_module(vendored_copy.__name__.rpartition(".")[0])
    with (
        runtime.HttpClient(
            runtime.HttpClientConfigBuilder().with_base_url(server.url).build()
        ) as c,
        correlation_id_scope("rid-across-copies"),
    ):
        c.get("/x")
    assert server.requests[-1].header("X-Request-ID") == "rid-across-copies"


def test_the_registry_keeps_the_first_variable_it_was_given() -> None:
    registry = sys.modules["_requestforge_shared_context"]
    assert vars(registry)["correlation_id_v1"] is context._correlation_id
    assert context._shared_variable("correlation_id_v1", None) is context._correlation_id


# -- request metadata ---------------------------------------------------------------------


def test_request_metadata_nests_merges_and_is_read_only() -> None:
    assert get_request_metadata() == {}
    with request_metadata_scope(method="GET", path="/a") as outer:
        assert outer == {"method": "GET", "path": "/a"}
        with request_metadata_scope(path="/b"):
            assert get_request_metadata() == {"method": "GET", "path": "/b"}
        assert get_request_metadata() == {"method": "GET", "path": "/a"}
        with pytest.raises(TypeError):
            outer["path"] = "/c"  # type: ignore[index]
    assert get_request_metadata() == {}


def test_request_metadata_is_isolated_between_tasks() -> None:
    async def task(path: str) -> Any:
        with request_metadata_scope(path=path):
            await asyncio.sleep(0.01)
            return get_request_metadata()["path"]

    async def main() -> list[Any]:
        return list(await asyncio.gather(*(task(f"/{n}") for n in range(20))))

    assert asyncio.run(main()) == [f"/{n}" for n in range(20)]


# -- ids from outside, ids going out ------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["a", "0f" * 16, "x" * MAX_REQUEST_ID_LENGTH, "req-1:2/3=4+5", "!~"],
)
def test_valid_request_ids(value: str) -> None:
    assert is_valid_request_id(value)
    assert request_id_or_new(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "x" * (MAX_REQUEST_ID_LENGTH + 1),
        "a b",
        "a\r\nX-Evil: 1",
        "tab\there",
        "nul\x00",
        "caf\u00e9",
        "\x7f",
        None,
        42,
    ],
)
def test_hostile_request_ids_are_refused(value: object) -> None:
    assert not is_valid_request_id(value)
    replacement = request_id_or_new(value if isinstance(value, str) else None)
    assert replacement != value
    assert len(replacement) == 32
    assert int(replacement, 16) >= 0


def test_new_request_ids_are_unique_hex() -> None:
    ids = {new_request_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(is_valid_request_id(i) and len(i) == 32 for i in ids)


def test_outgoing_headers_unchanged_without_an_id() -> None:
    headers = {"Accept": "application/json"}
    assert outgoing_correlation_headers(headers) is headers


def test_outgoing_headers_gain_the_context_id() -> None:
    headers = {"Accept": "application/json"}
    with correlation_id_scope("rid-1"):
        added = outgoing_correlation_headers(headers)
        custom = outgoing_correlation_headers(headers, "X-Correlation-ID")
    assert added == {"Accept": "application/json", DEFAULT_CORRELATION_HEADER: "rid-1"}
    assert custom == {"Accept": "application/json", "X-Correlation-ID": "rid-1"}
    assert headers == {"Accept": "application/json"}  # pure: the input is not touched


def test_outgoing_headers_keep_an_explicit_header_and_refuse_bad_ids() -> None:
    explicit = {"x-request-id": "caller-chose"}
    with correlation_id_scope("rid-1"):
        assert outgoing_correlation_headers(explicit) is explicit
    token = set_correlation_id("bad id\r\n")
    try:
        empty: dict[str, str] = {}
        assert outgoing_correlation_headers(empty) is empty
    finally:
        reset_correlation_id(token)


# -- the sync client ----------------------------------------------------------------------


def _client(server: LoopbackServer, builder: HttpClientConfigBuilder | None = None) -> HttpClient:
    server.route("GET", "/x", Reply.json({}))
    builder = builder or HttpClientConfigBuilder()
    return HttpClient(builder.with_base_url(server.url).with_no_retry().build())


def test_client_sends_the_context_id_and_nothing_without_one(server: LoopbackServer) -> None:
    with _client(server) as client:
        client.get("/x")
        with correlation_id_scope("incoming-1"):
            client.get("/x")
            client.get("/x", headers={"X-Request-ID": "explicit"})
    sent = [r.header("X-Request-ID") for r in server.requests]
    assert sent == [None, "incoming-1", "explicit"]


def test_client_correlation_header_is_configurable_and_can_be_off(server: LoopbackServer) -> None:
    renamed = _client(server, HttpClientConfigBuilder().with_correlation_header("X-Trace"))
    off = _client(server, HttpClientConfigBuilder().with_correlation_header(None))
    with renamed, off, correlation_id_scope("incoming-2"):
        renamed.get("/x")
        off.get("/x")
    first, second = server.requests
    assert (first.header("X-Trace"), first.header("X-Request-ID")) == ("incoming-2", None)
    assert (second.header("X-Trace"), second.header("X-Request-ID")) == (None, None)


def test_bad_correlation_header_names_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        HttpClientConfigBuilder().with_correlation_header("X Bad")
    assert HttpClientConfigBuilder().build().correlation_header == "X-Request-ID"


def test_correlation_id_hook_on_the_same_header_keeps_the_incoming_id(
    server: LoopbackServer,
) -> None:
    hook = CorrelationIdHook("X-Request-ID", generator=lambda: "generated")
    with _client(server, HttpClientConfigBuilder().with_request_hook(hook)) as client:
        client.get("/x")
        with correlation_id_scope("incoming-3"):
            client.get("/x")
    assert [r.header("X-Request-ID") for r in server.requests] == ["generated", "incoming-3"]


def test_each_thread_sends_its_own_id(server: LoopbackServer) -> None:
    server.route("GET", "/echo", lambda request: Reply.json({"n": request.query["n"][0]}))

    def call(n: int) -> None:
        with correlation_id_scope(f"rid-{n}"):
            client.get("/echo", params={"n": n})

    with _client(server) as client, ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(call, range(200)))
    pairs = {(r.query["n"][0], r.header("X-Request-ID")) for r in server.requests}
    assert pairs == {(str(n), f"rid-{n}") for n in range(200)}


def test_execute_many_carries_the_callers_id_to_its_worker_threads(
    server: LoopbackServer,
) -> None:
    with _client(server) as client, correlation_id_scope("batch-rid"):
        client.execute_many(
            [HttpRequest(method=HttpMethod.GET, url="/x") for _ in range(8)], max_workers=4
        )
    assert [r.header("X-Request-ID") for r in server.requests] == ["batch-rid"] * 8
