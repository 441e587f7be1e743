"""Bounded resources: every hostile spec ends fast, small, and with an error naming a limit.

The command-line tests run ``forgegen`` in a child process on each hostile
shape measured while choosing the defaults (see :mod:`forgegen.limits`),
built here in ``tmp_path``, and check what a user would see: exit code 1, a
``forgegen: error:`` line naming the limit and its option, no traceback, the
previous output untouched -- and that the child ended within 60 s with a peak
RSS under 1 GiB (``os.wait4`` reports it, the child's descendants included).
Without the limits these inputs took 76 s to hours and up to 4.6 GB.

The in-process tests pin down each check with small limits, so they need no
big input.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from forgegen import loader
from forgegen.diagnostics import SpecError
from forgegen.limits import (
    DEFAULT_LIMITS,
    Limits,
    check_document,
    count_nodes,
    current_limits,
    limits_in_effect,
)
from forgegen.loader import load_document
from forgegen.lower.enums import enum_members
from forgegen.lower.naming import NameScope, upper_snake
from forgegen.parse import parse_spec
from forgegen.pipeline import generate

SECONDS = 60
MEMORY = 1 << 30
HEAD = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

TINY = HEAD + (
    "paths:\n  /pets:\n    get:\n      operationId: listPets\n"
    "      responses: {'200': {description: ok}}\n"
)


@dataclass
class Run:
    code: int
    stderr: str
    seconds: float
    max_rss: int


def _forgegen(cwd: Path, spec: Path | str, out: Path, *options: str) -> Run:
    """Run the CLI in a child; kill it past :data:`SECONDS`; its peak RSS from ``wait4``."""
    errors = cwd / "stderr.txt"
    command = [sys.executable, "-m", "forgegen.cli", str(spec), "-o", str(out), "-q"]
    started = time.monotonic()
    with errors.open("wb") as stderr:
        child = subprocess.Popen(
            [*command, "--no-cache", *options], cwd=cwd, stdout=subprocess.DEVNULL, stderr=stderr
        )
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - started > SECONDS:
            child.kill()
            os.wait4(child.pid, 0)
            child.returncode = -9
            pytest.fail(f"forgegen ran for more than {SECONDS} s")
        time.sleep(0.02)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Run(
        code=child.returncode,
        stderr=errors.read_text(encoding="utf-8"),
        seconds=time.monotonic() - started,
        max_rss=usage.ru_maxrss * 1024,  # kilobytes on Linux
    )


@pytest.fixture(scope="module")
def previous_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package forgegen wrote from a tiny spec: what a failed run must leave alone."""
    root = tmp_path_factory.mktemp("previous")
    spec = root / "tiny.yaml"
    spec.write_text(TINY, encoding="utf-8")
    generate(spec, root / "pkg", quiet=True, use_cache=False)
    return root / "pkg"


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


# Hostile shapes: each writes its spec into a directory and returns the spec's path.


def _big_object(width: int) -> str:
    properties = ", ".join(f"p{index}: {{type: string}}" for index in range(width))
    return f"{{type: object, properties: {{{properties}}}}}"


def aliased_schemas(directory: Path) -> Path:
    """2,400 component schemas, each an alias of one 1,000-property object: 4.8M nodes."""
    lines = [HEAD, "paths: {}\ncomponents:\n  schemas:\n", f"    Big: &big {_big_object(1000)}\n"]
    lines += [f"    S{index}: *big\n" for index in range(2400)]
    return _write(directory / "schemas.yaml", "".join(lines))


def aliased_path_items(directory: Path) -> Path:
    """2,400 paths, each an alias of one operation with a 1,000-property body: 4.8M nodes."""
    body = "{content: {application/json: {schema: " + _big_object(1000) + "}}}"
    item = "{post: {requestBody: " + body + ", responses: {'200': {description: ok}}}}"
    lines = [HEAD, f"x-item: &item {item}\npaths:\n"]
    lines += [f"  /p{index}: *item\n" for index in range(2400)]
    return _write(directory / "paths.yaml", "".join(lines))


def aliased_list(directory: Path) -> Path:
    """A list of 4,800 aliases of one 1,000-member mapping, as examples of one schema."""
    members = ", ".join(f"p{index}: v" for index in range(1000))
    examples = ", ".join(["*big"] * 4800)
    text = (
        f"{HEAD}paths: {{}}\nx-big: &big {{{members}}}\ncomponents:\n  schemas:\n"
        f"    A:\n      type: object\n      examples: [{examples}]\n"
    )
    return _write(directory / "list.yaml", text)


def huge_enum(directory: Path) -> Path:
    """One enum of 200,000 values."""
    return _write_json(directory / "enum.json", {"E": _enum(200_000)}, {})


def many_operations(directory: Path) -> Path:
    """10,001 operations, each path an alias of one tiny path item (50,000 nodes)."""
    lines = [HEAD, "x-item: &item {get: {responses: {'200': {description: ok}}}}\npaths:\n"]
    lines += [f"  /p{index}: *item\n" for index in range(10_001)]
    return _write(directory / "operations.yaml", "".join(lines))


def path_item_refs(directory: Path) -> Path:
    """200 paths whose path item is a ``$ref`` to one with a 2,000-node body: lowered 200 times."""
    item = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": _object(1000)}}},
            "responses": {"200": {"description": "ok"}},
        }
    }
    paths = {f"/p{index}": {"$ref": "#/components/pathItems/X"} for index in range(200)}
    document = _document(paths, {"pathItems": {"X": item}})
    return _write(directory / "refs.json", json.dumps(document))


def external_path_items(directory: Path) -> Path:
    """300 paths whose path item is a ``$ref`` into another file, copied in 300 times."""
    item = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": _object(1000)}}},
            "responses": {"200": {"description": "ok"}},
        }
    }
    _write(directory / "item.json", json.dumps({"item": item}))
    paths = {f"/p{index}": {"$ref": "item.json#/item"} for index in range(300)}
    return _write(directory / "main.json", json.dumps(_document(paths, {})))


def dense_yaml(directory: Path) -> Path:
    """700,000 YAML nodes in 1.4 MB (``{?,?,...}``): composing it would cost ~200 bytes each."""
    return _write(directory / "dense.yaml", HEAD + "paths: {}\nx: {" + "?," * 700_000 + "?}\n")


def wide_union(directory: Path) -> Path:
    """An ``anyOf`` of 3,000 models (its annotation used to overflow the parser's recursion)."""
    schemas: dict[str, Any] = {f"M{index}": _object(1) for index in range(3000)}
    schemas["U"] = {"anyOf": [{"$ref": f"#/components/schemas/M{i}"} for i in range(3000)]}
    return _write_json(directory / "union.json", schemas, {})


def many_parameters(directory: Path) -> Path:
    """One operation with 50,000 query parameters (it used to take 1.7 GB)."""
    parameters = [
        {"name": f"q{index}", "in": "query", "schema": {"type": "string"}}
        for index in range(50_000)
    ]
    operation = {"parameters": parameters, "responses": {"200": {"description": "ok"}}}
    document = _document({"/a": {"get": operation}}, {})
    return _write(directory / "parameters.json", json.dumps(document))


def endless_file(directory: Path) -> str:
    """A file that never ends: at most the size limit plus one byte is read."""
    return "/dev/zero"


def _object(width: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f"p{index}": {"type": "string"} for index in range(width)},
    }


def _enum(size: int) -> dict[str, Any]:
    return {"type": "string", "enum": [f"v{index}" for index in range(size)]}


def _document(paths: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    document = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    return document | ({"components": components} if components else {})


def _write_json(path: Path, schemas: dict[str, Any], paths: dict[str, Any]) -> Path:
    return _write(path, json.dumps(_document(paths, {"schemas": schemas})))


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


HOSTILE: list[tuple[Callable[[Path], Path | str], str]] = [
    (aliased_schemas, "--max-nodes=300000"),
    (aliased_path_items, "--max-nodes=300000"),
    (aliased_list, "--max-nodes=300000"),
    (huge_enum, "--max-enum-values=50000"),
    (many_operations, "--max-operations=10000"),
    (path_item_refs, "--max-nodes=300000"),
    (external_path_items, "--max-nodes=300000"),
    (dense_yaml, "--max-nodes=300000"),
    (wide_union, "--max-members=2000"),
    (many_parameters, "--max-members=2000"),
    (endless_file, "--max-file-bytes=16777216"),
]


@pytest.mark.parametrize(("build", "limit"), HOSTILE, ids=[build.__name__ for build, _ in HOSTILE])
def test_a_hostile_spec_stops_early_naming_its_limit(
    build: Callable[[Path], Path | str], limit: str, tmp_path: Path, previous_output: Path
) -> None:
    out = tmp_path / "out" / "pkg"
    shutil.copytree(previous_output, out)
    before = _snapshot(out)
    spec = build(tmp_path)

    run = _forgegen(tmp_path, spec, out)

    assert run.code == 1, run.stderr
    assert run.stderr.startswith("forgegen: error: "), run.stderr
    assert f"(limit {limit}; raise it with {limit.split('=', maxsplit=1)[0]}=N)" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.max_rss < MEMORY, f"peak RSS {run.max_rss / 2**20:.0f} MiB"
    assert _snapshot(out) == before


@pytest.mark.slow
def test_a_raised_enum_limit_lets_a_big_enum_through(tmp_path: Path) -> None:
    spec = _write_json(tmp_path / "enum.json", {"Big": _enum(60_000)}, {})
    out = tmp_path / "out" / "pkg"

    refused = _forgegen(tmp_path, spec, out)
    assert refused.code == 1
    assert "lists 60,000 values, more than 50,000" in refused.stderr
    assert not out.exists()

    run = _forgegen(tmp_path, spec, out, "--max-enum-values=60000")
    assert run.code == 0, run.stderr
    assert run.max_rss < MEMORY
    texts = [path.read_text(encoding="utf-8") for path in out.rglob("*.py")]
    module = next(text for text in texts if '"v59999"' in text)
    assert module.count('= "v') == 60_000


@pytest.mark.slow
def test_a_raised_node_limit_lets_a_big_spec_through(tmp_path: Path) -> None:
    lines = [HEAD, "paths: {}\ncomponents:\n  schemas:\n", f"    Big: &big {_big_object(1000)}\n"]
    lines += [f"    S{index}: *big\n" for index in range(160)]  # 161 x 2,004 = 322,644 nodes
    spec = _write(tmp_path / "schemas.yaml", "".join(lines))
    out = tmp_path / "out" / "pkg"

    refused = _forgegen(tmp_path, spec, out)
    assert refused.code == 1
    assert "--max-nodes=300000" in refused.stderr

    run = _forgegen(tmp_path, spec, out, "--max-nodes=400000")
    assert run.code == 0, run.stderr
    assert run.max_rss < MEMORY
    assert (out / "models" / "s159.py").is_file()


def test_an_option_value_must_be_a_positive_integer(tmp_path: Path) -> None:
    spec = _write(tmp_path / "tiny.yaml", TINY)
    run = _forgegen(tmp_path, spec, tmp_path / "out" / "pkg", "--max-nodes=0")
    assert run.code == 2
    assert "--max-nodes" in run.stderr


def test_the_project_config_sets_limits_and_the_command_line_wins(tmp_path: Path) -> None:
    spec = _write_json(tmp_path / "enum.json", {"Colour": _enum(4)}, {})
    out = tmp_path / "out" / "pkg"
    _write(tmp_path / "pyproject.toml", "[tool.forgegen]\nmax-enum-values = 3\n")

    refused = _forgegen(tmp_path, spec, out)
    assert refused.code == 1
    assert "--max-enum-values=3" in refused.stderr
    assert not out.exists()

    run = _forgegen(tmp_path, spec, out, "--max-enum-values=4")
    assert run.code == 0, run.stderr


def test_a_limit_in_the_config_must_be_a_positive_integer(tmp_path: Path) -> None:
    spec = _write(tmp_path / "tiny.yaml", TINY)
    _write(tmp_path / "pyproject.toml", '[tool.forgegen]\nmax_nodes = "many"\n')
    run = _forgegen(tmp_path, spec, tmp_path / "out" / "pkg")
    assert run.code == 2
    assert "max_nodes must be a positive integer" in run.stderr


# In process, with small limits.


def test_limits_are_positive_integers() -> None:
    with pytest.raises(ValueError, match="--max-nodes must be a positive integer"):
        Limits(max_nodes=0)
    with pytest.raises(ValueError, match="--max-members"):
        Limits(max_members=True)
    assert Limits().overridden(max_nodes=7, max_members=None) == Limits(max_nodes=7)


def test_the_defaults_leave_three_times_the_largest_real_specs(tmp_path: Path) -> None:
    third = Limits(
        **{name: value // 3 for name, value in vars(DEFAULT_LIMITS).items()},
    )
    for name in ("stripe-spec3.json", "github-api.github.com.3.0.json"):
        with limits_in_effect(third):
            document = load_document(CORPUS / name)
        check_document(document.data, third, lambda pointer, name=name: (name, None))


def test_the_limits_in_effect_are_the_defaults_outside_a_block() -> None:
    with limits_in_effect(Limits(max_nodes=5)) as active:
        assert current_limits() is active
    assert current_limits() == DEFAULT_LIMITS


def test_count_nodes_counts_shared_subtrees_per_use_and_stops_early() -> None:
    shared = {"a": [1, 2, 3]}
    assert count_nodes({"x": shared, "y": shared}, 100) == 1 + 2 * (1 + 1 + 3)
    looped: list[Any] = []
    looped.append(looped)
    assert count_nodes(looped, 1000) == 1001


@pytest.mark.parametrize(
    "data",
    [
        {"a": "x, y, [z], {w}", "b": [], "c": {}},
        [[[]], {"k": [1, 2, {"q": None}]}, '", [{'],
        {"e": "", "f": [True, False, 0.5]},
    ],
)
def test_the_json_bound_is_never_below_the_count(data: Any) -> None:
    text = json.dumps(data)
    assert loader._json_nodes_at_most(text) >= count_nodes(data, 10**9)


def test_json_past_the_node_limit_is_refused(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.json", json.dumps({"openapi": "3.1.0", "x": list(range(1000))}))
    with limits_in_effect(Limits(max_nodes=1003)):  # the root, "3.1.0", the list, its 1,000
        assert load_document(spec).data["x"][-1] == 999
    with limits_in_effect(Limits(max_nodes=1002)), pytest.raises(SpecError) as error:
        load_document(spec)
    assert str(error.value).startswith(f"{spec}: the document has more than 1,002 nodes")


def test_a_commas_only_bound_does_not_refuse_prose(tmp_path: Path) -> None:
    prose = "a, " * 5000
    spec = _write(tmp_path / "s.json", json.dumps({"openapi": "3.1.0", "description": prose}))
    with limits_in_effect(Limits(max_nodes=10)):
        assert load_document(spec).data["description"] == prose


def test_dense_yaml_is_counted_before_it_is_composed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _write(tmp_path / "dense.yaml", "x: [" + "a," * 3000 + "a]\n")

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("composed")

    monkeypatch.setattr(loader.yaml, "load", never)
    with limits_in_effect(Limits(max_nodes=1000)), pytest.raises(SpecError, match="1,000 nodes"):
        load_document(spec)


def test_yaml_between_the_limit_and_twice_it_is_counted_after_loading(tmp_path: Path) -> None:
    spec = _write(tmp_path / "s.yaml", "x: [" + "a," * 1499 + "a]\n")  # 1,502 values
    with limits_in_effect(Limits(max_nodes=1501)), pytest.raises(SpecError, match="1,501 nodes"):
        load_document(spec)
    with limits_in_effect(Limits(max_nodes=1502)):
        assert len(load_document(spec).data["x"]) == 1500


def test_malformed_yaml_still_reports_its_own_error(tmp_path: Path) -> None:
    spec = _write(tmp_path / "bad.yaml", "x: [" + "a," * 3000 + "\n  : - ]\n")
    with limits_in_effect(Limits(max_nodes=10_000)), pytest.raises(SpecError, match="invalid YAML"):
        load_document(spec)


def test_yaml_aliases_are_counted_expanded(tmp_path: Path) -> None:
    spec = _write(tmp_path / "a.yaml", "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n")  # 1 + 5 + 1 + 15
    with limits_in_effect(Limits(max_nodes=22)):
        load_document(spec)
    with limits_in_effect(Limits(max_nodes=21)), pytest.raises(SpecError) as error:
        load_document(spec)
    assert "expands to more than 21 nodes through YAML aliases" in str(error.value)
    assert "(limit --max-nodes=21; raise it with --max-nodes=N)" in str(error.value)


def test_the_file_size_limit_reads_no_more_than_it_allows(tmp_path: Path) -> None:
    with limits_in_effect(Limits(max_file_bytes=1000)), pytest.raises(SpecError) as error:
        load_document("/dev/zero")
    assert "larger than 1,000 bytes (limit --max-file-bytes=1000" in str(error.value)
    spec = _write(tmp_path / "s.yaml", "a: " + "x" * 995)
    with limits_in_effect(Limits(max_file_bytes=998)):
        load_document(spec)
    with limits_in_effect(Limits(max_file_bytes=997)), pytest.raises(SpecError):
        load_document(spec)


def _tiny_operations(count: int) -> dict[str, Any]:
    operation = {"get": {"responses": {"200": {"description": "ok"}}}}
    return {f"/p{index}": operation for index in range(count)}


def _locate(pointer: str) -> tuple[str | None, int | None]:
    return "spec.json", 7


def test_operations_behind_path_item_refs_are_counted() -> None:
    paths = {f"/p{index}": {"$ref": "#/components/pathItems/X"} for index in range(4)}
    document = _document(paths, {"pathItems": {"X": _tiny_operations(1)["/p0"]}})
    check_document(document, Limits(max_operations=4), _locate)
    with pytest.raises(SpecError) as error:
        check_document(document, Limits(max_operations=3), _locate)
    assert str(error.value) == (
        "spec.json:7 #/paths: the document has 4 operations, more than 3 "
        "(limit --max-operations=3; raise it with --max-operations=N)"
    )


def test_a_path_item_ref_is_counted_once_per_path() -> None:
    paths = {f"/p{index}": {"$ref": "#/components/pathItems/X"} for index in range(10)}
    document = _document(paths, {"pathItems": {"X": {"get": {"description": "x" * 10}}}})
    nodes = count_nodes(document, 10**6)
    # each path adds the target's two nodes below it: ``get`` and its description
    check_document(document, Limits(max_nodes=nodes + 10 * 2), _locate)
    with pytest.raises(SpecError, match="counting what \\$refs to other files and to path items"):
        check_document(document, Limits(max_nodes=nodes + 10 * 2 - 1), _locate)


def test_a_self_referring_path_item_does_not_loop() -> None:
    document = _document({"/a": {"$ref": "#/paths/~1a"}}, {})
    check_document(document, DEFAULT_LIMITS, _locate)


def test_an_enum_past_the_limit_is_named_by_its_pointer_file_and_line(tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"kind": _enum(11)}}
    spec = _write(tmp_path / "s.yaml", yaml.safe_dump(_document({}, {"schemas": {"A": schema}})))
    with pytest.raises(SpecError) as error:
        parse_spec(spec, limits=Limits(max_enum_values=10))
    assert error.value.diagnostic.file == str(spec)
    assert error.value.diagnostic.line is not None
    assert error.value.pointer == "#/components/schemas/A/properties/kind/enum"
    assert "lists 11 values, more than 10 (limit --max-enum-values=10" in str(error.value)
    parse_spec(spec, limits=Limits(max_enum_values=11))


@pytest.mark.parametrize("key", ["properties", "parameters", "anyOf", "oneOf", "allOf"])
def test_members_of_one_schema_or_operation_are_limited(key: str) -> None:
    members: Any = {f"p{index}": {} for index in range(3)} if key == "properties" else [{}] * 3
    document = _document({"/a": {"get": {"x-holder": {key: members}}}}, {})
    check_document(document, Limits(max_members=3), _locate)
    with pytest.raises(SpecError) as error:
        check_document(document, Limits(max_members=2), _locate)
    assert error.value.pointer == f"#/paths/~1a/get/x-holder/{key}"
    assert "(limit --max-members=2;" in str(error.value)


def test_component_collections_are_not_members() -> None:
    parameters = {f"P{index}": {"name": "q", "in": "query"} for index in range(5)}
    check_document(_document({}, {"parameters": parameters}), Limits(max_members=2), _locate)


def test_limits_reach_files_the_resolver_loads(tmp_path: Path) -> None:
    _write(tmp_path / "pet.json", json.dumps({"type": "object", "description": "x" * 2000}))
    document = _document({}, {"schemas": {"Pet": {"$ref": "pet.json"}}})
    spec = _write(tmp_path / "main.json", json.dumps(document))
    with pytest.raises(SpecError) as error:
        parse_spec(spec, limits=Limits(max_file_bytes=1000))
    assert error.value.diagnostic.file is not None
    assert error.value.diagnostic.file.endswith("pet.json")
    assert "--max-file-bytes=1000" in str(error.value)
    parse_spec(spec, limits=Limits(max_file_bytes=3000))


def test_copies_from_other_files_stop_at_the_node_limit(tmp_path: Path) -> None:
    # One small path item in another file, referenced by many paths: each
    # reference is copied in, so the bundle grows past the limit although every
    # file is small.  The resolver must refuse before it has made the copies.
    item = {"get": {"responses": {"200": {"description": "ok", "x-pad": list(range(200))}}}}
    _write(tmp_path / "items.json", json.dumps({"item": item}))
    paths = {f"/p{index}": {"$ref": "items.json#/item"} for index in range(400)}
    spec = _write(tmp_path / "main.json", json.dumps(_document(paths, {})))
    with pytest.raises(SpecError) as error:
        parse_spec(spec, limits=Limits(max_nodes=20_000))
    assert "--max-nodes=20000" in str(error.value)
    assert "from other files" in str(error.value)
    assert error.value.diagnostic.file is not None
    assert error.value.diagnostic.file.endswith("items.json")
    assert error.value.diagnostic.pointer == "#/item"
    parse_spec(spec, limits=Limits(max_nodes=200_000))


def test_enum_member_names_are_the_ones_a_name_scope_gives() -> None:
    values = ["a", "A", "a_2", "a-2", "a!", "", "-", "+", "VALUE", "value_2", "Value"]
    values += ["".join(chars) for chars in itertools.product("ab-", repeat=3)]
    scope = NameScope()
    expected = [
        scope.take(upper_snake(value, fallback="EMPTY" if value == "" else "VALUE"))
        for value in values
    ]
    assert [member.name for member in enum_members(values, "str")] == expected


def test_values_with_the_same_member_name_cost_one_step_each() -> None:
    names = itertools.islice(itertools.product("-.+!*/", repeat=7), 30_000)
    values = ["".join(chars) for chars in names]
    started = time.perf_counter()
    members = enum_members(values, "str")
    # A search from ``_2`` for every value took ~80 s here; one step each takes well under 1 s.
    assert time.perf_counter() - started < 10
    assert members[-1].name == "VALUE_30000"
    assert len({member.name for member in members}) == 30_000
