"""``context.Local`` (seed 003) and the correlation-id context variable."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import pytest
from requestforge import Local, correlation_id_scope, get_correlation_id, set_correlation_id


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
