"""Property-based fuzzing of the whole generator over hostile spec fragments.

Hypothesis draws small OpenAPI documents out of the pieces attackers and
careless authors vary: names (keywords, pydantic attributes, punctuation,
unicode, empty), numbers (past float range, huge, negative), schema nesting
(objects, arrays, allOf/oneOf/anyOf, discriminators, refs to other components,
including missing ones and cycles), path templates with stray braces and
quotes, parameter locations, media types and response keys.  For every
document the generator must either refuse it with a :class:`SpecError` that
says where, or write a package whose every module imports with warnings as
errors and whose models build their validators -- within a time bound.

Under ``CI=true`` the examples are derandomized (the same documents each run,
so a landing never depends on luck); locally each run draws new ones.
``FORGEGEN_FUZZ_EXAMPLES`` raises the count for a long campaign.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import pkgutil
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from forgegen.diagnostics import SpecError
from forgegen.pipeline import generate
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.conftest import IN_CI

EXAMPLES = int(os.environ.get("FORGEGEN_FUZZ_EXAMPLES", "40"))
#: One document of this size generates in well under a second; more is a hang.
SECONDS_PER_DOCUMENT = 30

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=IN_CI,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Names that have broken generators: keywords, builtins, pydantic and runtime names...
TRICKY_NAMES = [
    "class",
    "def",
    "None",
    "True",
    "self",
    "register",
    "mro",
    "model_config",
    "model_fields",
    "copy",
    "dict",
    "json",
    "schema",
    "fields",
    "validate",
    "construct",
    "__init__",
    "__class__",
    "_",
    "",
    "0",
    "1abc",
    "default",
    "4XX",
    "ApiError",
    "NotFoundError",
    "Client",
    "AsyncClient",
    "models",
    "api",
    "a.b",
    "a-b",
    "a b",
    "../../etc/passwd",
    "{x}",
    "'",
    '"',
    '"""',
    "\\",
    "\n",
    "#",
    "ü",
    "数据",
    "\u200f",
    "__import__('os').system('touch PWNED')",
]
names = st.one_of(
    st.sampled_from(TRICKY_NAMES),
    st.text(min_size=0, max_size=12),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
)
numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.sampled_from([10**400, -(10**400), 2**63, 2**64 + 1, 1e308, -0.0, 0.5]),
    st.floats(allow_nan=False, allow_infinity=False),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, names)

#: Component names are drawn from a small pool so that refs often hit, sometimes miss.
COMPONENTS = ["Pet", "Owner", "class", "Item_List", "A", "ApiError"]
refs = st.sampled_from(COMPONENTS).map(lambda name: {"$ref": f"#/components/schemas/{name}"})

leaf_schemas = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "integer", "number", "boolean", "object", "array"])},
        optional={
            "format": st.sampled_from(
                ["date", "date-time", "uuid", "int64", "float", "binary", "byte", "email", "x"]
            ),
            "enum": st.lists(scalars, max_size=4),
            "default": scalars,
            "nullable": st.booleans(),
            "minimum": numbers,
            "maximum": numbers,
            "description": names,
            "title": names,
        },
    ),
    refs,
    st.just({}),
    st.fixed_dictionaries({"enum": st.lists(scalars, min_size=1, max_size=4)}),
)


def _composite(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("object"), "properties": st.dictionaries(names, children, max_size=4)},
            optional={
                "required": st.lists(names, max_size=3),
                "additionalProperties": st.one_of(st.booleans(), children),
            },
        ),
        st.fixed_dictionaries({"type": st.just("array"), "items": children}),
        st.fixed_dictionaries({"allOf": st.lists(children, min_size=1, max_size=3)}),
        st.sampled_from(["oneOf", "anyOf"]).flatmap(
            lambda keyword: st.fixed_dictionaries(
                {keyword: st.lists(children, max_size=3)},
                optional={
                    "discriminator": st.fixed_dictionaries(
                        {"propertyName": names},
                        optional={"mapping": st.dictionaries(names, refs.map(lambda r: r["$ref"]))},
                    )
                },
            )
        ),
    )


schemas = st.recursive(leaf_schemas, _composite, max_leaves=8)
#: Most pool names are always defined, so most refs resolve; the last two may be missing.
component_schemas = st.fixed_dictionaries(
    dict.fromkeys(COMPONENTS[:-2], schemas),
    optional=dict.fromkeys(COMPONENTS[-2:], schemas),
)

segments = st.one_of(
    st.from_regex(r"[a-z]{1,6}", fullmatch=True),
    names.map(lambda name: "{" + name + "}"),
    st.sampled_from(["{", "}", "{}", "{{a}}", "{a", "a}", "'", '"', "%7B", "{a}{b}", "~1"]),
)
paths = st.lists(segments, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))

media_types = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/problem+json",
            "application/json; charset=utf-8",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "text/plain",
            "text/event-stream",
            "application/octet-stream",
            "*/*",
            "image/*",
        ]
    ),
    names,
)
contents = st.dictionaries(media_types, st.fixed_dictionaries({"schema": schemas}), max_size=2)

parameters = st.fixed_dictionaries(
    {
        "name": names,
        "in": st.sampled_from(["query", "path", "header", "cookie", "query", "path"]),
    },
    optional={
        "required": st.booleans(),
        "schema": schemas,
        "style": st.sampled_from(["form", "simple", "label", "matrix", "deepObject", "x"]),
        "explode": st.booleans(),
        "description": names,
    },
)
responses = st.dictionaries(
    st.sampled_from(["200", "201", "204", "2XX", "301", "400", "404", "4XX", "5XX", "default"]),
    st.fixed_dictionaries({"description": names}, optional={"content": contents}),
    min_size=1,
    max_size=3,
)
operations = st.fixed_dictionaries(
    {"responses": responses},
    optional={
        "operationId": names,
        "tags": st.lists(names, max_size=2),
        "summary": names,
        "parameters": st.lists(parameters, max_size=3),
        "requestBody": st.fixed_dictionaries({"content": contents}),
    },
)
path_items = st.dictionaries(
    st.sampled_from(["get", "post", "put", "delete", "patch"]), operations, min_size=1, max_size=2
)
documents = st.fixed_dictionaries(
    {
        "openapi": st.sampled_from(["3.0.3", "3.1.0"]),
        "info": st.fixed_dictionaries({"title": names, "version": st.just("1")}),
        "paths": st.dictionaries(paths, path_items, max_size=3),
        "components": st.fixed_dictionaries({"schemas": component_schemas}),
    }
)


class _TookTooLongError(Exception):
    """A document that did not finish within :data:`SECONDS_PER_DOCUMENT`."""


@contextmanager
def _time_bound(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TookTooLongError(f"no result after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


_counter = itertools.count()


def _import_everything(root: Path, package: str) -> None:
    """Import every module of the generated package with warnings as errors; build its models."""
    sys.path.insert(0, str(root))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            top = importlib.import_module(package)
            for info in pkgutil.walk_packages(top.__path__, f"{package}."):
                module = importlib.import_module(info.name)
                for value in list(vars(module).values()):
                    if (
                        isinstance(value, type)
                        and issubclass(value, BaseModel)
                        and value.__module__ == module.__name__
                    ):
                        value.model_rebuild(force=True)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == package]:
            del sys.modules[name]


def check_document(document: dict[str, Any], root: Path) -> None:
    """The property: a located refusal, or a package that imports cleanly."""
    number = next(_counter)
    workdir = root / f"doc{number}"
    workdir.mkdir()
    spec = workdir / "spec.json"
    spec.write_text(json.dumps(document), encoding="utf-8")
    package = f"fuzzed_{number}"
    with _time_bound(SECONDS_PER_DOCUMENT):
        try:
            generate(
                spec,
                workdir / "out" / package,
                quiet=True,
                use_cache=False,
                runtime="package",
            )
        except SpecError as error:
            event(f"refused: {error.diagnostic.message.split(':')[0][:40]}")
            message = str(error)
            assert message.strip(), "a refusal must say why"
            assert str(spec) in message or "#/" in message, f"unlocated error: {message}"
            return
        _import_everything(workdir / "out", package)
        event("generated and imported")


@FUZZ
@given(document=documents)
def test_any_document_is_refused_with_its_place_or_generates_an_importable_package(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    check_document(document, tmp_path_factory.mktemp("fuzz"))


@FUZZ
@given(components=component_schemas)
# What earlier campaigns found, kept as fixed cases:
@example(  # a schema that reaches itself through allOf under items
    components={
        "A": {"type": "string"},
        "Pet": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {}]}},
    }
)
@example(  # property names that shadow pydantic attributes
    components={
        "A": {
            "type": "object",
            "properties": {"mro": {"type": "string"}, "register": {}, "model_config": {}},
        }
    }
)
@example(components={"A": {"type": "number", "enum": [10**400]}})  # past float range
def test_any_set_of_component_schemas_generates_or_is_refused(
    components: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    first, last = sorted(components)[0], sorted(components)[-1]

    def body(schema: dict[str, Any]) -> dict[str, Any]:
        return {"content": {"application/json": {"schema": schema}}}

    document = {
        "openapi": "3.1.0",
        "info": {"title": "components", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "makeThing",
                    "requestBody": body({"$ref": f"#/components/schemas/{first}"}),
                    "responses": {
                        "200": {
                            "description": "ok",
                            **body(
                                {"type": "array", "items": {"$ref": f"#/components/schemas/{last}"}}
                            ),
                        }
                    },
                }
            }
        },
        "components": {"schemas": components},
    }
    check_document(document, tmp_path_factory.mktemp("fuzz"))
