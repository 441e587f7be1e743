"""Valid JSON values for a spec's schemas, and their conversion to what a generated function takes.

``Synthesizer(document).value(schema)`` builds a small value that satisfies the
schema: ``const``, then the first ``enum`` value, then ``default``, then a value
made from the type and its constraints (formats, bounds, lengths, a simple
``pattern``), falling back to ``example`` when a pattern is beyond the small
generator.  Objects get their required properties (``readOnly`` ones left out of
requests), arrays ``minItems`` items, ``oneOf``/``anyOf`` their first viable
member (with its discriminator value), ``allOf`` its members merged.

``convert(value, hint)`` turns the JSON value into the Python type the
generated ``sync_detailed`` annotates (a model, an enum, a datetime ...) with
``pydantic.TypeAdapter``.
"""

from __future__ import annotations

import copy
import importlib
import math
import re
from collections.abc import Mapping
from typing import Any

from pydantic import TypeAdapter

__all__ = ["SynthesisError", "Synthesizer", "convert", "pattern_example"]

_MAX_DEPTH = 12
_NO_VALUE = object()

_FORMATS: dict[str, str] = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05Z",
    "duration": "P1D",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/resource",
    "url": "https://example.com/resource",
    "iri": "https://example.com/resource",
    "uri-reference": "https://example.com/resource",
    "uri-template": "https://example.com/{id}",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "aGVsbG8=",
    "binary": "binary-content",
    "password": "secret-password",
    "json-pointer": "/a/b",
    "regex": "^a$",
}


class SynthesisError(ValueError):
    """No value could be made for a schema (a ``$ref`` that does not resolve, ``not`` ...)."""


# -- patterns ---------------------------------------------------------------------

_parser: Any = importlib.import_module("re._parser")


def pattern_example(pattern: str, min_length: int = 0, max_length: int | None = None) -> str | None:
    """A string matching ``pattern`` (searched, as JSON Schema does), or ``None``.

    Handles literals, classes, ``\\d``/``\\w``/``\\s``, ``.``, groups, alternation
    (first branch) and bounded or unbounded repeats; tries a few repeat counts
    so length bounds can be met.
    """
    try:
        parsed = _parser.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, ValueError):
        return None
    try:
        base, grown = len(_render(parsed, 0)), len(_render(parsed, 1))
    except (ValueError, RecursionError, OverflowError):
        return None
    extras = [0, 1, 3, 8, 20, 64]
    if grown > base:  # repeat counts that land on the length bounds
        for bound in (min_length, max_length):
            if bound is not None and bound > base:
                extras.insert(0, -(-(bound - base) // (grown - base)))
                extras.insert(1, (bound - base) // (grown - base))
    for extra in extras:
        try:
            text = _render(parsed, extra)
        except (ValueError, RecursionError, OverflowError):
            return None
        if len(text) < min_length and not parsed:
            text = text + "a" * (min_length - len(text))
        if compiled.search(text) is None:
            continue
        if len(text) < min_length or (max_length is not None and len(text) > max_length):
            continue
        return text
    return None


def _category_char(category: Any) -> str:
    name = str(category)
    if "DIGIT" in name:
        return "0" if "NOT" not in name else "a"
    if "SPACE" in name:
        return " " if "NOT" not in name else "a"
    if "WORD" in name:
        return "a" if "NOT" not in name else "-"
    return "a"


def _class_char(items: list[tuple[Any, Any]]) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in items)
    if negated:
        excluded: set[str] = set()
        for op, arg in items:
            if str(op) == "LITERAL":
                excluded.add(chr(arg))
            elif str(op) == "RANGE":
                excluded.update(chr(c) for c in range(arg[0], min(arg[1], 0x2FF) + 1))
        for candidate in "aA0_-x":
            if candidate not in excluded:
                return candidate
        raise ValueError("negated class")
    for op, arg in items:
        kind = str(op)
        if kind == "LITERAL":
            return chr(arg)
        if kind == "RANGE":
            low, high = arg
            for preferred in "a0A":
                if low <= ord(preferred) <= high:
                    return preferred
            return chr(low)
        if kind == "CATEGORY":
            return _category_char(arg)
    raise ValueError("empty class")


def _render(parsed: Any, extra: int) -> str:
    out: list[str] = []
    for op, arg in parsed:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(arg))
        elif kind == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif kind == "ANY":
            out.append("a")
        elif kind == "IN":
            out.append(_class_char(arg))
        elif kind == "CATEGORY":
            out.append(_category_char(arg))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            count = low + extra
            if high != _parser.MAXREPEAT:
                count = min(count, high)
            count = max(count, low)
            out.append(_render(sub, extra) * count)
        elif kind == "SUBPATTERN":
            out.append(_render(arg[-1], extra))
        elif kind == "ATOMIC_GROUP":
            out.append(_render(arg, extra))
        elif kind == "BRANCH":
            out.append(_render(arg[1][0], extra))
        elif kind in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise ValueError(f"unsupported regex element {kind}")
    return "".join(out)


# -- schemas ----------------------------------------------------------------------


class Synthesizer:
    """Values for the schemas of one (bundled, 3.x-shaped) document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref``s (``#/...``) until a non-reference node."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref: str = node["$ref"]
            if ref in seen or not ref.startswith("#"):
                raise SynthesisError(f"cannot resolve $ref {ref!r}")
            seen.add(ref)
            target: Any = self.document
            for part in ref[2:].split("/") if ref != "#" else []:
                key = part.replace("~1", "/").replace("~0", "~")
                if isinstance(target, Mapping) and key in target:
                    target = target[key]
                elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
                    target = target[int(key)]
                else:
                    raise SynthesisError(f"cannot resolve $ref {ref!r}")
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**target, **siblings} if siblings and isinstance(target, Mapping) else target
        return node

    def value(
        self,
        schema: Any,
        *,
        request: bool = True,
        with_read_only: bool = False,
        prefer_string: bool = False,
    ) -> Any:
        """A JSON value valid for ``schema`` (``request``: leave ``readOnly`` properties out).

        ``prefer_string`` (for parameters, which travel as text): a ``oneOf``/``anyOf``
        takes its string member first -- ``1`` would also match an integer member
        once the server reads the text, so "exactly one of" would fail.
        """
        view = copy.copy(self)  # per call: one synthesizer serves several threads
        view._prefer_string = prefer_string
        return view._value(schema, 0, request=request, with_read_only=with_read_only)

    _prefer_string = False

    # The recursion: one method per schema shape.

    def _value(self, schema: Any, depth: int, *, request: bool, with_read_only: bool) -> Any:
        if depth > _MAX_DEPTH:
            raise SynthesisError("schema nests too deeply")
        schema = self.resolve(schema)
        if schema is True or schema is None or schema == {}:
            return "value"
        if not isinstance(schema, Mapping):
            raise SynthesisError(f"not a schema: {schema!r}")
        if "const" in schema:
            return schema["const"]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            non_null = [item for item in enum if item is not None]
            return non_null[0] if non_null else None
        default = schema.get("default", _NO_VALUE)
        if default is not _NO_VALUE and _matches_type(default, schema) and not _composite(schema):
            return default
        kw = {"request": request, "with_read_only": with_read_only}
        if "allOf" in schema:
            return self._value(self._merge_all_of(schema, depth), depth + 1, **kw)
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list) and members:
                return self._union(schema, members, depth, request, with_read_only)
        kind = _type_of(schema)
        if kind == "object":
            return self._object(schema, depth, request, with_read_only)
        if kind == "array":
            return self._array(schema, depth, request, with_read_only)
        if kind == "integer":
            return _integer(schema)
        if kind == "number":
            return _number(schema)
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return self._string(schema)

    def _merge_all_of(self, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.get("properties", {}))
        required: list[str] = list(merged.get("required", []))
        for member in schema["allOf"]:
            part = self.resolve(member)
            if not isinstance(part, Mapping):
                continue
            if "allOf" in part:
                part = self._merge_all_of(part, depth + 1)
            for key, value in part.items():
                if key == "properties" and isinstance(value, Mapping):
                    for name, sub in value.items():
                        properties.setdefault(name, sub)
                elif key == "required" and isinstance(value, list):
                    required.extend(name for name in value if name not in required)
                elif key not in merged:
                    merged[key] = value
        if properties:
            merged["properties"] = properties
            merged.setdefault("type", "object")
        if required:
            merged["required"] = required
        return merged

    def _union(
        self,
        schema: Mapping[str, Any],
        members: list[Any],
        depth: int,
        request: bool,
        with_read_only: bool,
    ) -> Any:
        discriminator = schema.get("discriminator")
        rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf", "discriminator")}
        errors: list[str] = []

        def rank(member: Any) -> tuple[bool, bool]:
            kind = _type_of(self.resolve(member))
            plain_string = kind == "string" and not _composite(self.resolve(member))
            return kind == "null", not (self._prefer_string and plain_string)

        ordered = sorted(members, key=rank)
        candidates: list[Any] = []
        for member in ordered:
            try:
                resolved = self.resolve(member)
                if rest.get("properties") or rest.get("required"):
                    resolved = self._merge_all_of({**rest, "allOf": [resolved]}, depth)
                value = self._value(
                    resolved, depth + 1, request=request, with_read_only=with_read_only
                )
            except SynthesisError as error:
                errors.append(str(error))
                continue
            if value == {} and isinstance(resolved, Mapping):
                # ``{}`` would also match a sibling member with no required
                # properties: give the object its properties (or a key of its own)
                value = self._all_properties(resolved, depth, request, with_read_only)
            if isinstance(discriminator, Mapping) and isinstance(value, dict):
                name = discriminator.get("propertyName")
                if isinstance(name, str):
                    value[name] = self._discriminator_value(discriminator, member, value.get(name))
                return value  # the discriminator says which member it is
            if "oneOf" not in schema:
                return value  # anyOf: one match is enough
            candidates.append(value)
        # oneOf: the first value that matches exactly one member (``1`` can match
        # both an integer and a number member; anything matches a ``{}`` member)
        for value in candidates:
            if sum(1 for member in members if self._loosely_matches(value, member, 0)) == 1:
                return value
        if candidates:
            return candidates[0]
        raise SynthesisError("no viable member: " + "; ".join(errors))

    def _loosely_matches(self, value: Any, schema: Any, depth: int) -> bool:
        """Whether ``value`` may be valid for ``schema``: types, enums, required and
        closed properties, items -- enough to tell ``oneOf`` members apart."""
        if depth > _MAX_DEPTH:
            return True
        try:
            schema = self.resolve(schema)
        except SynthesisError:
            return True
        if not isinstance(schema, Mapping) or not schema:
            return schema is not False
        if "const" in schema:
            return bool(value == schema["const"])
        if isinstance(schema.get("enum"), list):
            return value in schema["enum"]
        for member in schema.get("allOf") or []:
            if not self._loosely_matches(value, member, depth + 1):
                return False
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if (
                isinstance(members, list)
                and members
                and not any(self._loosely_matches(value, m, depth + 1) for m in members)
            ):
                return False
        if value is None:
            kind = schema.get("type")
            return (
                schema.get("nullable") is True
                or kind == "null"
                or (isinstance(kind, list) and "null" in kind)
                or ("type" not in schema and not _composite(schema))
            )
        if "type" in schema and not _matches_type(value, schema):
            return False
        if isinstance(value, dict):
            properties: Mapping[str, Any] = schema.get("properties") or {}
            if any(name not in value for name in schema.get("required") or []):
                return False
            if schema.get("additionalProperties") is False and any(
                key not in properties for key in value
            ):
                return False
            return all(
                self._loosely_matches(item, properties[key], depth + 1)
                for key, item in value.items()
                if key in properties
            )
        if isinstance(value, list) and "items" in schema:
            return all(self._loosely_matches(item, schema["items"], depth + 1) for item in value)
        return True

    def _all_properties(
        self, schema: Mapping[str, Any], depth: int, request: bool, with_read_only: bool
    ) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        if not properties:
            return {"conformance": "value"}
        result: dict[str, Any] = {}
        for name, sub in properties.items():
            resolved = self.resolve(sub)
            if isinstance(resolved, Mapping) and resolved.get("readOnly") and request:
                continue
            try:
                result[name] = self._value(
                    sub, depth + 1, request=request, with_read_only=with_read_only
                )
            except SynthesisError:
                continue
        return result

    def _discriminator_value(
        self, discriminator: Mapping[str, Any], member: Any, current: Any
    ) -> Any:
        ref = member.get("$ref") if isinstance(member, Mapping) else None
        mapping = discriminator.get("mapping")
        if isinstance(ref, str):
            if isinstance(mapping, Mapping):
                for key, target in mapping.items():
                    if target == ref or ref.endswith("/" + str(target)):
                        return key
            if current is None or not isinstance(current, str):
                return ref.rsplit("/", 1)[-1]
        return current

    def _object(
        self, schema: Mapping[str, Any], depth: int, request: bool, with_read_only: bool
    ) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = schema.get("required") or []
        result: dict[str, Any] = {}
        for name in required:
            sub = properties.get(name, {})
            resolved = self.resolve(sub)
            if isinstance(resolved, Mapping):
                skip = resolved.get("readOnly") if request else resolved.get("writeOnly")
                if skip and not with_read_only:
                    continue
            result[name] = self._value(
                sub, depth + 1, request=request, with_read_only=with_read_only
            )
        minimum = schema.get("minProperties")
        if isinstance(minimum, int) and len(result) < minimum:
            for name, sub in properties.items():
                if len(result) >= minimum:
                    break
                if name not in result:
                    result[name] = self._value(
                        sub, depth + 1, request=request, with_read_only=with_read_only
                    )
            extra = schema.get("additionalProperties")
            index = 0
            while len(result) < minimum and extra is not False:
                index += 1
                result[f"key{index}"] = self._value(
                    extra if isinstance(extra, Mapping) else {},
                    depth + 1,
                    request=request,
                    with_read_only=with_read_only,
                )
        return result

    def _array(
        self, schema: Mapping[str, Any], depth: int, request: bool, with_read_only: bool
    ) -> list[Any]:
        count = schema.get("minItems")
        count = count if isinstance(count, int) and count > 0 else 1
        maximum = schema.get("maxItems")
        if isinstance(maximum, int):
            count = min(count, maximum)
        items = schema.get("items", {})
        resolved = self.resolve(items)
        if count > 1 and isinstance(resolved, Mapping) and isinstance(resolved.get("enum"), list):
            return [resolved["enum"][i % len(resolved["enum"])] for i in range(count)]
        first = self._value(items, depth + 1, request=request, with_read_only=with_read_only)
        if count > 1 and schema.get("uniqueItems") and isinstance(first, (int, float, str)):
            return [_vary(first, i) for i in range(count)]
        return [first] * count

    def _string(self, schema: Mapping[str, Any]) -> str:
        min_length = schema.get("minLength")
        min_length = min_length if isinstance(min_length, int) else 0
        max_length = schema.get("maxLength")
        max_length = max_length if isinstance(max_length, int) else None
        pattern = schema.get("pattern")
        example = schema.get("example", _NO_VALUE)
        if example is _NO_VALUE and isinstance(schema.get("examples"), list) and schema["examples"]:
            example = schema["examples"][0]
        if isinstance(pattern, str):
            made = pattern_example(pattern, min_length, max_length)
            if made is not None:
                return made
            if isinstance(example, str):
                return example
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in _FORMATS:
            return _FORMATS[fmt]
        if isinstance(example, str) and _fits(example, min_length, max_length):
            return example
        text = "string"
        if len(text) < min_length:
            text = text + "x" * (min_length - len(text))
        if max_length is not None:
            text = text[: max(max_length, 0)]
        return text


def _matches_type(value: Any, schema: Mapping[str, Any]) -> bool:
    """``value`` has the JSON type ``schema`` declares (a wrong-typed ``default`` is skipped)."""
    kind = _type_of(schema)
    if value is None:
        return False
    checks: dict[str, bool] = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
        "null": False,  # ``value`` is not None here
    }
    return checks.get(kind, True)


def _composite(schema: Mapping[str, Any]) -> bool:
    return any(key in schema for key in ("allOf", "oneOf", "anyOf"))


def _fits(text: str, min_length: int, max_length: int | None) -> bool:
    return len(text) >= min_length and (max_length is None or len(text) <= max_length)


def _type_of(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return "string"
    kind = schema.get("type")
    if isinstance(kind, list):
        non_null = [k for k in kind if k != "null"]
        kind = non_null[0] if non_null else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _bounds(schema: Mapping[str, Any]) -> tuple[float | None, float | None, bool, bool]:
    low = schema.get("minimum")
    high = schema.get("maximum")
    low_exclusive = schema.get("exclusiveMinimum")
    high_exclusive = schema.get("exclusiveMaximum")
    low_open = high_open = False
    if isinstance(low_exclusive, bool):
        low_open = low_exclusive
    elif isinstance(low_exclusive, (int, float)):
        low, low_open = low_exclusive, True
    if isinstance(high_exclusive, bool):
        high_open = high_exclusive
    elif isinstance(high_exclusive, (int, float)):
        high, high_open = high_exclusive, True
    return (
        float(low) if isinstance(low, (int, float)) else None,
        float(high) if isinstance(high, (int, float)) else None,
        low_open,
        high_open,
    )


def _integer(schema: Mapping[str, Any]) -> int:
    low, high, low_open, high_open = _bounds(schema)
    value = 1
    if low is not None:
        start = math.floor(low) + 1 if low_open else math.ceil(low)
        value = max(value, start)
    if high is not None:
        end = math.ceil(high) - 1 if high_open else math.floor(high)
        value = min(value, end)
    step = schema.get("multipleOf")
    if isinstance(step, int) and step > 0 and value % step:
        value = (value // step + 1) * step
    return value


def _number(schema: Mapping[str, Any]) -> float | int:
    low, high, low_open, high_open = _bounds(schema)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0:
        value: float = float(step)
        if low is not None and (value < low or (low_open and value <= low)):
            value = (math.floor(low / step) + 1) * step
        return int(value) if float(value).is_integer() else value
    value = 1.5
    if low is not None and (value < low or (low_open and value <= low)):
        value = low + 0.5 if high is None or low + 0.5 < high else (low + high) / 2
    if high is not None and (value > high or (high_open and value >= high)):
        value = high - 0.5 if low is None or high - 0.5 > low else (low + high) / 2
    return value


def _vary(value: int | float | str, index: int) -> int | float | str:
    if index == 0:
        return value
    if isinstance(value, str):
        return f"{value}{index}"
    return value + index


# -- to Python -------------------------------------------------------------------


def convert(value: Any, hint: Any) -> Any:
    """``value`` (JSON) validated into ``hint``, the type a generated function annotates."""
    return TypeAdapter(hint).validate_python(value)
