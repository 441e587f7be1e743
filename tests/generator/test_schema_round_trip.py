"""Every component schema of the corpus round-trips through its generated type.

For each ``components.schemas`` entry (Swagger 2.0: ``definitions``) of each
document in ``tests/corpus``, hypothesis-jsonschema draws instances that are
valid for the schema (converted to JSON Schema by
``tests/generator/jsonschema_conversion.py``, whose docstring lists the rules),
and the client forgegen generated from that document must

* accept each instance -- ``Model.model_validate(instance)`` for a model,
  ``TypeAdapter(<generated alias or enum>).validate_python(instance)`` for the
  other shapes, and the same from the JSON text (``model_validate_json``: what
  a response goes through);
* dump it back to an equal JSON value with
  ``model_dump(mode="json", by_alias=True, exclude_unset=True, warnings="error")``
  (``TypeAdapter.dump_python`` with the same options).  These are the options
  that reproduce the input exactly, and the ones the runtime's ``to_json`` sends
  a request body with: ``mode="json"`` turns datetimes, UUIDs, bytes and enum
  members back into their JSON form; ``by_alias`` writes the wire names;
  ``exclude_unset`` leaves out exactly the properties the input did not have
  -- not ``exclude_none`` (it would drop an explicit ``null``) nor
  ``exclude_defaults`` (it would drop an explicit value that happens to equal
  the default); ``warnings="error"`` makes a value that does not fit its
  declared type (a default that was never converted) an error, not a warning.
  "Equal" is JSON equality: the same keys, strings, ``null``s and booleans
  (``True`` is not ``1``), numbers by value (``1`` equals ``1.0``), and a
  string the schema gives ``format: date-time``, ``date`` or ``time`` by the
  value it denotes (``...+00:00`` and ``...Z`` are one instant);
* hold the spec's ``default`` for a property the input left out: for every
  model class made from the component (inline ones too), a field whose
  property declares a default must dump that default back (checked once per
  component, from the classes; a default the spec's own schema rejects is
  not checked).

A component the drawer cannot draw from (an unsupported keyword, a pattern it
cannot handle, a schema with no finite instance within the recursion bound) is
counted with the reason; nothing else is skipped.  Every failure of the
generated code is the generator's and fails the test (the ones it found --
a name ``required`` lists without a property, ``datetime | date`` reading a
date string as midnight -- are fixed).

The per-document table (total / exercised / drawer-limited / failing) is
printed and written to ``round_trip_report.json`` in the session's temporary
directory, and the tests assert on it.  Each client is generated once per
session.  GitHub and Stripe are big: at most a fixed (deterministic) sample of
their components runs by default (:data:`SAMPLE`; all 299 of GitHub's fit in
it, Stripe's 561 do not), every other document is covered fully;
``FORGEGEN_ROUND_TRIP_ALL=1`` runs them all, ``FORGEGEN_ROUND_TRIP_EXAMPLES``
sets the examples per schema (:data:`EXAMPLES`).  Under ``CI=true`` the draws
are derandomized, so CI sees the same instances every run; locally each run
draws new ones.  The bounds keep the whole file at about two minutes on a
2-core machine.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no stubs in the dev extra
import pytest
from forgegen.diagnostics import Diagnostics, join_pointer
from forgegen.lower import lower
from forgegen.parse import parse_spec
from forgegen.pipeline import generate
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisException, Unsatisfiable
from hypothesis_jsonschema import from_schema
from pydantic import BaseModel, TypeAdapter, ValidationError

from tests.conftest import IN_CI
from tests.generator.jsonschema_conversion import (
    CUSTOM_FORMATS,
    Converter,
    DrawerLimitError,
    check_converted,
    load_spec,
)
from tests.support.corpus import CORPUS

EXAMPLES = int(os.environ.get("FORGEGEN_ROUND_TRIP_EXAMPLES", "10"))
RUN_ALL = os.environ.get("FORGEGEN_ROUND_TRIP_ALL", "") not in ("", "0")
#: How many components of a big document run by default (a fixed sample).
SAMPLE = {"github-api.github.com.3.0.json": 300, "stripe-spec3.json": 90}
#: Recursive components are unrolled this many times, or more when that leaves no instance.
DEPTHS = (1, 2, 3)

DOCUMENTS = sorted(p.name for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json"))

#: The only reasons a component may go unexercised: the drawer's limits, not forgegen's.
DRAWER_LIMITS = (
    "unsupported by the drawer",
    "no instance within the recursion bound",
    "the drawer found no instance",
    "the drawer failed",
    "the drawer drew an invalid instance",
)


# -- JSON equality ---------------------------------------------------------------


def json_difference(
    expected: Any, actual: Any, path: str = "", schema: Mapping[str, Any] | None = None
) -> str | None:
    """Where two JSON values differ (``None``: equal), numbers compared by value.

    With the (converted) ``schema`` the instance is valid for, two strings at a
    place whose schema says ``format: date-time``, ``date`` or ``time`` are
    compared as the values they denote: ``...+00:00`` and ``...Z`` are the same
    instant, and a client that writes one for the other keeps the value."""
    return _difference(expected, actual, [], path, schema)


def _difference(
    expected: Any,
    actual: Any,
    tokens: list[str | int],
    path: str,
    schema: Mapping[str, Any] | None,
) -> str | None:
    here = path or "/"
    if isinstance(expected, bool) or isinstance(actual, bool):
        if type(expected) is not type(actual) or expected != actual:
            return f"at {here}: {expected!r} became {actual!r}"
        return None
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return None if expected == actual else f"at {here}: {expected!r} became {actual!r}"
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                return f"at {here}: key {key!r} was dropped"
        for key in actual:
            if key not in expected:
                return f"at {here}: key {key!r} was added ({_short(actual[key])})"
        for key in expected:
            found = _difference(expected[key], actual[key], [*tokens, key], f"{path}/{key}", schema)
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"at {here}: {len(expected)} items became {len(actual)}"
        for index, (left, right) in enumerate(zip(expected, actual, strict=True)):
            found = _difference(left, right, [*tokens, index], f"{path}/{index}", schema)
            if found:
                return found
        return None
    if (
        isinstance(expected, str)
        and isinstance(actual, str)
        and expected != actual
        and schema is not None
        and same_temporal_value(formats_at(schema, tokens), expected, actual)
    ):
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"at {here}: {_short(expected)} became {_short(actual)}"
    return None


def formats_at(schema: Mapping[str, Any], tokens: list[str | int]) -> set[str]:
    """Every ``format`` a subschema applying at ``tokens`` (an instance path) declares.

    Follows ``$ref`` (into ``$defs``), the combinators and the object and array
    keywords; every branch counts, so this is what the place *may* be."""
    defs = schema.get("$defs", {})
    found: set[str] = set()
    stack: list[tuple[Any, int]] = [(schema, 0)]
    seen: set[tuple[int, int]] = set()
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Mapping) or (id(node), depth) in seen:
            continue
        seen.add((id(node), depth))
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            key = ref[len("#/$defs/") :].replace("~1", "/").replace("~0", "~")
            stack.append((defs.get(key), depth))
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend((member, depth) for member in node.get(key) or [])
        stack.extend((node.get(key), depth) for key in ("if", "then", "else"))
        if depth == len(tokens):
            if isinstance(node.get("format"), str):
                found.add(node["format"])
            continue
        token = tokens[depth]
        if isinstance(token, int):
            items = node.get("items")
            if isinstance(items, list):
                below = items[token] if token < len(items) else node.get("additionalItems")
                stack.append((below, depth + 1))
            else:
                stack.append((items, depth + 1))
            continue
        matched = False
        properties = node.get("properties") or {}
        if token in properties:
            stack.append((properties[token], depth + 1))
            matched = True
        for pattern, below in (node.get("patternProperties") or {}).items():
            if re.search(pattern, token):
                stack.append((below, depth + 1))
                matched = True
        if not matched:
            stack.append((node.get("additionalProperties"), depth + 1))
    return found


_DATE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME = r"(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
_DATE_TIME_TEXT = re.compile(_DATE + "[Tt ]" + _TIME)
_TIME_TEXT = re.compile(_TIME)
_DATE_TEXT = re.compile(_DATE)


def _seconds(hour: str, minute: str, second: str, fraction: str | None, offset: str) -> Decimal:
    """Seconds since midnight UTC (exact, and never out of range like a ``datetime``)."""
    total = Decimal(int(hour) * 3600 + int(minute) * 60 + int(second))
    total += Decimal(fraction or "0")
    if offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        total -= sign * (int(offset[1:3]) * 3600 + int(offset[4:6]) * 60)
    return total


def _instant(text: str) -> Decimal | None:
    found = _DATE_TIME_TEXT.fullmatch(text)
    if found is None:
        return None
    year, month, day, *clock = found.groups()
    try:
        days = date(int(year), int(month), int(day)).toordinal()
    except ValueError:
        return None
    return days * 86400 + _seconds(*clock)


def _time_of_day(text: str) -> Decimal | None:
    found = _TIME_TEXT.fullmatch(text)
    return None if found is None else _seconds(*found.groups()) % 86400


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if _DATE_TEXT.fullmatch(text) else None
    except ValueError:
        return None


def same_temporal_value(formats: set[str], expected: str, actual: str) -> bool:
    """Whether two RFC 3339 texts denote the same date-time, date or time (per ``formats``)."""
    readers: list[Callable[[str], object]] = []
    if "date-time" in formats:
        readers.append(_instant)
    if "time" in formats:
        readers.append(_time_of_day)
    if "date" in formats:
        readers.append(_day)
    for read in readers:
        left, right = read(expected), read(actual)
        if left is not None and left == right:
            return True
    return False


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the generated clients -----------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A component's generated Python type."""

    kind: str  # "model", "enum" or "alias"
    name: str
    value: Any  # the class or the alias' type expression

    def adapter(self, nullable: bool) -> TypeAdapter[Any]:
        return TypeAdapter(self.value | None if nullable else self.value)


@dataclass
class Client:
    """One document, its generated package and what its components became."""

    document: str
    spec: dict[str, Any]
    converter: Converter
    #: forgegen's normalised document (the IR's pointers point into it)
    normalized: Converter
    targets: dict[str, Target]  # "#/components/schemas/<name>" -> generated type
    #: generated model class name -> the IR pointer it was made from
    model_pointers: dict[str, str]
    models: dict[str, type[BaseModel]]


def _package_name(document: str) -> str:
    stem = Path(document).stem
    return "round_trip_" + "".join(ch if ch.isalnum() else "_" for ch in stem).lower()


class Clients:
    """Generates each document's client on first use, once per session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._clients: dict[str, Client] = {}
        sys.path.insert(0, str(root))

    def __getitem__(self, document: str) -> Client:
        if document not in self._clients:
            self._clients[document] = self._generate(document)
        return self._clients[document]

    def _generate(self, document: str) -> Client:
        package = _package_name(document)
        generate(CORPUS / document, self.root / package, quiet=True)
        # The names and modules of the generated types: forgegen's own IR, lowered again
        # from the same parse (lowering is deterministic), keyed by the schema's pointer.
        diagnostics = Diagnostics()
        parsed = parse_spec(CORPUS / document, diagnostics=diagnostics)
        api = lower(None, parsed.document, package_name=package, diagnostics=diagnostics)
        targets: dict[str, Target] = {}
        model_pointers: dict[str, str] = {}
        models: dict[str, type[BaseModel]] = {}
        for kind, items in (("model", api.models), ("enum", api.enums), ("alias", api.aliases)):
            for item in items:
                value = getattr(importlib.import_module(f"{package}.{item.module}"), item.name)
                if kind == "model":
                    model_pointers[item.name] = item.pointer
                    models[item.name] = value
                if item.pointer in targets:
                    raise AssertionError(f"two generated types for {item.pointer}")
                targets[item.pointer] = Target(kind, item.name, value)
        spec = load_spec(CORPUS / document)
        return Client(
            document=document,
            spec=spec,
            converter=Converter(spec),
            normalized=Converter(parsed.document),
            targets=targets,
            model_pointers=model_pointers,
            models=models,
        )


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Clients:
    if not CORPUS.is_dir():
        pytest.fail(f"the corpus is missing: {CORPUS}")
    return Clients(tmp_path_factory.mktemp("round_trip_clients"))


@pytest.fixture(scope="module")
def report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("round_trip_report") / "round_trip_report.json"


# -- one component ------------------------------------------------------------------


def round_trip(
    target: Target, instance: Any, schema: Mapping[str, Any] | None = None
) -> str | None:
    """What goes wrong when ``instance`` goes through ``target`` and back (``None``: nothing).

    ``schema`` is the converted schema ``instance`` was drawn from: the dump is
    compared to the instance with it (see :func:`json_difference`)."""
    nullable = instance is None
    text = json.dumps(instance)
    validators: list[tuple[str, Callable[[], Any]]]
    if target.kind == "model" and not nullable:
        model: Any = target.value
        validators = [
            ("model_validate", lambda: model.model_validate(instance)),
            ("model_validate_json", lambda: model.model_validate_json(text)),
        ]
    else:
        adapter = target.adapter(nullable)
        validators = [
            ("validate_python", lambda: adapter.validate_python(instance)),
            ("validate_json", lambda: adapter.validate_json(text)),
        ]
    for how, validate in validators:
        try:
            value = validate()
        except ValidationError as error:
            first = error.errors()[0]
            where = "/".join(str(part) for part in first["loc"])
            return f"{how} rejects it: {where}: {first['msg']}"
        try:
            if isinstance(value, BaseModel):
                dumped = value.model_dump(
                    mode="json", by_alias=True, exclude_unset=True, warnings="error"
                )
            else:
                dumped = target.adapter(nullable).dump_python(
                    value, mode="json", by_alias=True, exclude_unset=True, warnings="error"
                )
        except Exception as error:  # a serialisation error is the finding itself
            return f"dump after {how} fails: {type(error).__name__}: {str(error)[:200]}"
        difference = json_difference(instance, dumped, schema=schema)
        if difference is not None:
            return f"dump after {how} differs {difference}"
    return None


def default_problems(client: Client, component_pointer: str) -> list[str]:
    """Fields of the component's model classes whose default is not the spec's."""
    problems = []
    for class_name, pointer in sorted(client.model_pointers.items()):
        if pointer != component_pointer and not pointer.startswith(component_pointer + "/"):
            continue
        cls = client.models[class_name]
        cls.model_rebuild()
        node = client.normalized.node(pointer)
        properties = client.normalized.properties_of(node)
        for python_name, info in cls.model_fields.items():
            wire = info.alias or python_name
            prop = properties.get(wire)
            if not isinstance(prop, Mapping) or "default" not in prop or info.is_required():
                continue
            expected = prop["default"]
            if expected is None:
                continue
            try:
                prop_schema = client.normalized.schema_of(prop)
                jsonschema.Draft7Validator(prop_schema).validate(expected)
            except (DrawerLimitError, jsonschema.ValidationError, jsonschema.SchemaError):
                continue  # the spec's default breaks its own schema: not forgegen's to keep
            actual = info.get_default(call_default_factory=True)
            try:
                dumped = TypeAdapter(
                    Any if info.annotation is None else info.annotation
                ).dump_python(actual, mode="json", warnings="error")
            except Exception as error:
                problems.append(
                    f"default of {class_name}.{python_name}: spec {_short(expected)}, "
                    f"model holds {actual!r}, which does not dump as its type "
                    f"({type(error).__name__})"
                )
                continue
            difference = json_difference(expected, dumped)
            if difference is not None:
                problems.append(
                    f"default of {class_name}.{python_name}: spec {_short(expected)}, "
                    f"model {_short(dumped)}"
                )
    return problems


@dataclass
class Outcome:
    pointer: str
    drawn: int = 0
    limit: str | None = None  # why the drawer could not exercise it
    failure: str | None = None
    instance: Any = None  # the smallest failing instance
    seconds: float = 0.0


def _draw(schema: dict[str, Any], examples: int, check: Callable[[Any], None]) -> None:
    check_converted(schema)

    @settings(
        max_examples=examples,
        derandomize=IN_CI,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        # failures are collected by ``check``, not raised: no shrinking, no replay
    )
    @given(from_schema(schema, custom_formats=CUSTOM_FORMATS))
    def run(instance: Any) -> None:
        check(instance)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # hypothesis-jsonschema warns about odd regexes
        run()


def check_component(client: Client, name: str, examples: int = EXAMPLES) -> Outcome:
    started = time.perf_counter()
    converter = client.converter
    outcome = Outcome(converter.pointer(name))
    ir_pointer = join_pointer("#/components/schemas", name)
    target = client.targets.get(ir_pointer)
    if target is None:
        outcome.failure = f"no generated type for {ir_pointer}"
        return outcome
    failures: list[tuple[int, str, Any]] = []

    def check(instance: Any) -> None:
        outcome.drawn += 1
        problem = round_trip(target, instance, schema)
        if problem is not None:
            failures.append((len(json.dumps(instance)), problem, instance))

    schema: dict[str, Any] = {}
    for depth in DEPTHS:
        try:
            schema = converter.schema(name, depth=depth)
            _draw(schema, examples, check)
        except DrawerLimitError as error:
            outcome.limit = f"unsupported by the drawer: {error}"
        except Unsatisfiable as error:
            cyclic = converter.is_cyclic(name)
            outcome.limit = (
                f"no instance within the recursion bound (depth {depth})"
                if cyclic
                else f"the drawer found no instance: {str(error)[:160]}"
            )
            if cyclic and not failures and outcome.drawn == 0:
                continue
        except (HypothesisException, ValueError, TypeError, KeyError, RecursionError) as error:
            outcome.limit = f"the drawer failed: {type(error).__name__}: {str(error)[:160]}"
        else:
            outcome.limit = None
        break
    if outcome.drawn and outcome.limit is not None and not failures:
        outcome.limit = None  # some instances came before it gave up: exercised
    problems = default_problems(client, ir_pointer)
    if failures:
        _size, problem, instance = min(failures, key=lambda item: item[0])
        validator = jsonschema.Draft7Validator(schema)
        if not validator.is_valid(instance):
            outcome.limit = "the drawer drew an invalid instance"
        else:
            outcome.limit = None
            outcome.failure = problem
            outcome.instance = instance
    if problems:
        outcome.limit = None
        outcome.failure = "; ".join(filter(None, [outcome.failure, *problems]))
    outcome.seconds = time.perf_counter() - started
    return outcome


def selected_components(document: str, converter: Converter) -> list[str]:
    """Every component, or a fixed sample of a big document's."""
    names = list(converter.components)
    limit = SAMPLE.get(document)
    if RUN_ALL or limit is None or len(names) <= limit:
        return names
    ranked = sorted(names, key=lambda name: hashlib.sha256(name.encode()).hexdigest())
    chosen = set(ranked[:limit])
    return [name for name in names if name in chosen]


# -- the report -------------------------------------------------------------------------


def _read_report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def _write_row(path: Path, document: str, row: dict[str, Any]) -> None:
    report = _read_report(path)
    report[document] = row
    path.write_text(json.dumps(report, indent=2, sort_keys=True))


def _table(report: Mapping[str, Any]) -> Iterator[str]:
    yield f"{'document':<50} {'total':>5} {'run':>5} {'exerc':>5} {'drawer':>6} {'fail':>5}"
    for document, row in sorted(report.items()):
        yield (
            f"{document:<50} {row['total']:>5} {row['selected']:>5} {row['exercised']:>5} "
            f"{len(row['drawer_limited']):>6} {len(row['failures']):>5}  ({row['seconds']:.1f}s)"
        )
        for pointer, reason in sorted(row["drawer_limited"].items()):
            yield f"    drawer-limited {pointer}: {reason}"
        for pointer, failure in sorted(row["failures"].items()):
            yield f"    failing {pointer}: {failure['reason']}"
            yield f"        instance: {_short(failure['instance'], 400)}"


# -- the tests ----------------------------------------------------------------------


def test_the_whole_corpus_is_covered() -> None:
    assert len(DOCUMENTS) == 17
    assert set(SAMPLE) <= set(DOCUMENTS)


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_component_schemas_round_trip(
    clients: Clients, report_path: Path, document: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    client = clients[document]
    names = list(client.converter.components)
    selected = selected_components(document, client.converter)
    outcomes = [check_component(client, name) for name in selected]
    row = {
        "total": len(names),
        "selected": len(selected),
        "exercised": sum(1 for o in outcomes if o.limit is None),
        "examples": sum(o.drawn for o in outcomes),
        "drawer_limited": {o.pointer: o.limit for o in outcomes if o.limit is not None},
        "failures": {
            o.pointer: {"reason": o.failure, "instance": o.instance}
            for o in outcomes
            if o.failure is not None
        },
        "seconds": round(time.perf_counter() - started, 1),
        "slowest": sorted(((round(o.seconds, 2), o.pointer) for o in outcomes), reverse=True)[:3],
    }
    _write_row(report_path, document, row)
    with capsys.disabled():
        print()
        print("\n".join(_table({document: row})))

    written = _read_report(report_path)[document]
    assert written["exercised"] + len(written["drawer_limited"]) == written["selected"]
    assert written["selected"] == written["total"] or document in SAMPLE
    for pointer, reason in written["drawer_limited"].items():
        assert reason.startswith(DRAWER_LIMITS), (pointer, reason)
    failures = written["failures"]
    assert not failures, "generated code does not round-trip:\n" + "\n".join(
        f"{document}{pointer}: {failure['reason']}\n"
        f"    instance: {_short(failure['instance'], 600)}"
        for pointer, failure in failures.items()
    )


def test_report_covers_every_document(report_path: Path) -> None:
    report = _read_report(report_path)
    if set(report) != set(DOCUMENTS):
        pytest.skip("the per-document round trips did not all run in this session")
    print("\n" + "\n".join(_table(report)))
    assert sum(row["exercised"] for row in report.values()) > 0
    failing = {f"{doc}{p}" for doc, row in report.items() for p in row["failures"]}
    assert not failing
    assert not math.isnan(sum(row["seconds"] for row in report.values()))
