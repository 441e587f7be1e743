"""Schema ``default`` values as typed Python source, checked against their schema.

pydantic does not validate defaults: a ``format: date`` default written as
the JSON string ``"2024-01-02"`` would stay a ``str`` on a ``date`` field, and
``default: "not a boolean"`` on a boolean would be handed to every instance.
So lowering converts each default to the field's Python type once, at
generation, and a default its schema rejects is reported (and dropped) there.

What a default becomes:

* strings, numbers, booleans and ``null``: their literal, after the coercions
  a JSON value written in the wrong JSON type can take (``"true"`` on a
  boolean, ``"4"`` on an integer, ``6`` on a string, ``4`` on a number is
  ``4.0``);
* ``format: date`` / ``time`` / ``date-time`` / ``uuid``: ``date(2024, 1, 2)``,
  ``time(3, 4, 5)``, ``datetime(...)``, ``UUID("...")``.  A value with a UTC
  offset is written ``datetime.fromisoformat("...")``: its ``timezone`` would
  be a name that a field of the model could shadow in the class body, while
  ``date``/``time``/``datetime`` cannot be field names;
* enum values: the member (``Color.GREEN``), or the literal for ``Literal``
  enums;
* objects of a model: ``Pet.model_validate({...})`` with the (coerced) JSON
  value, so aliases and nested types are pydantic's to apply;
* arrays, maps and models are mutable: the field gets a ``default_factory``
  (see :attr:`Written.mutable`); ``prefixItems`` arrays are tuples.

Union members are tried in order, first without coercions, then with them,
and the first that accepts the value gives its type.  Constraints that do not
change the type (``minLength``, ``maximum``, ``pattern``...) are not checked.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..diagnostics import Diagnostics, brief, join_pointer
from ..ir import EnumType, Import
from .document import as_list, as_map, as_str, resolve
from .enums import unique_values
from .literals import python_literal, string_literal
from .nesting import MAX_SCHEMA_NESTING
from .shapes import (
    PROPERTY_ORIGINS,
    Component,
    MergeCache,
    is_constraint_only,
    is_false_schema,
    is_null_schema,
    is_object_model,
    merge_all_of,
    split_null,
    tuple_shape,
)

__all__ = ["Classes", "DefaultError", "DefaultWriter", "Written"]

_DATE = Import("datetime", "date", external=True)
_TIME = Import("datetime", "time", external=True)
_DATETIME = Import("datetime", "datetime", external=True)
_UUID = Import("uuid", "UUID", external=True)

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_NUMBER_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_DATE_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME_TEXT = r"([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
_PARTIAL_TIME = re.compile(_TIME_TEXT)
_DATE_TIME_TEXT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]" + _TIME_TEXT)


class DefaultError(Exception):
    """The default does not fit its schema; ``str(error)`` says why."""


@dataclass(frozen=True)
class Written:
    """A default as Python source, and what writing it needs.

    ``value`` is the JSON value after coercion (what a ``model_validate`` of an
    enclosing object gets).  ``plain`` is true when ``source`` is pure literal
    data or an enum member (no constructor call): only such a default can be a
    function parameter's default.
    """

    source: str
    value: Any
    imports: frozenset[Import] = frozenset()
    models: frozenset[str] = frozenset()
    mutable: bool = False
    plain: bool = True


class Classes(Protocol):
    """What the writer needs to know about the classes lowering made."""

    document: Mapping[str, Any]
    diagnostics: Diagnostics
    components: dict[str, Component]
    enums: dict[str, EnumType]
    merged: MergeCache

    def class_at(self, pointer: str) -> str | None:
        """The model or enum class the inline schema at ``pointer`` became, if any."""

    def is_model(self, name: str) -> bool: ...

    def tag_values(self, model: str, wire_name: str) -> tuple[Any, ...] | None:
        """The discriminator values a model's field is narrowed to, if it is a tag."""


def _same(left: Any, right: Any) -> bool:
    """JSON equality: ``True`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


def _json_type(value: Any) -> str:
    """What ``value`` is, for messages: ``"a string"``, ``"an array"``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _merge(parts: list[Written]) -> tuple[frozenset[Import], frozenset[str], bool]:
    imports: set[Import] = set()
    models: set[str] = set()
    for part in parts:
        imports |= part.imports
        models |= part.models
    return frozenset(imports), frozenset(models), all(part.plain for part in parts)


class DefaultWriter:
    """Converts defaults for one document (see the module docstring)."""

    def __init__(self, classes: Classes) -> None:
        self._classes = classes
        self._depth = 0
        #: (pointer, value, lax) under way: a schema reached again with the same
        #: value (``A = anyOf: [A, ...]``) would otherwise recurse without end.
        self._active: set[tuple[str, int, bool]] = set()
        #: why (pointer, value, lax) failed in this write: nested unions try the
        #: same member again and again, and each try is answered once.
        self._failed: dict[tuple[str, int, bool], str] = {}

    def write(self, schema: object, pointer: str, value: Any) -> Written:
        """``value`` as the Python value of ``schema`` (at ``pointer``).

        Raises :class:`DefaultError` when the schema rejects it.
        """
        self._depth = 0
        self._active.clear()
        self._failed.clear()
        return self._convert(schema, pointer, value, lax=True)

    # -- dispatch ----------------------------------------------------------------

    def _convert(self, schema: object, pointer: str, value: Any, *, lax: bool) -> Written:
        # the value is part of the document (or a small int): its id is stable while writing
        key = (pointer, id(value), lax)
        failed = self._failed.get(key)
        if failed is not None:
            raise DefaultError(failed)
        if key in self._active:
            raise DefaultError("cannot be checked: its schema contains itself")
        if self._depth > 2 * MAX_SCHEMA_NESTING:
            raise DefaultError(f"is nested deeper than {MAX_SCHEMA_NESTING} levels")
        self._depth += 1
        self._active.add(key)
        try:
            return self._node(schema, pointer, value, lax=lax)
        except DefaultError as error:
            self._failed[key] = str(error)
            raise
        finally:
            self._active.discard(key)
            self._depth -= 1

    def _node(self, schema: object, pointer: str, value: Any, *, lax: bool) -> Written:
        if is_false_schema(schema):
            raise DefaultError("is not allowed: the schema accepts no value")
        node = as_map(schema)
        if schema is True or not node:
            return self._any(value)
        node, pointer, nullable, named = self._follow(node, pointer)
        if named is not None:
            return self._named(named, node, pointer, value, nullable=nullable, lax=lax)
        if value is None:
            if nullable or is_null_schema(node) or not node:
                return Written("None", None)
            raise DefaultError("is null, which the schema does not allow")
        if "allOf" in node:
            members = as_list(node.get("allOf"))
            if len(members) == 1 and not set(node) & {"properties", "additionalProperties"}:
                return self._convert(members[0], join_pointer(pointer, "allOf", 0), value, lax=lax)
            classes = self._classes
            node = merge_all_of(
                classes.document, node, pointer, classes.diagnostics, classes.merged
            )
        if is_null_schema(node):
            raise DefaultError("is not null, the only value the schema allows")
        if is_object_model(node):
            name = self._classes.class_at(pointer)
            if name is None or not self._classes.is_model(name):
                raise DefaultError("is an object of a model that could not be found")
            return self._model(name, node, pointer, value, lax=lax)
        if "const" in node:
            return self._const(node, pointer, value, lax=lax)
        if "enum" in node:
            return self._enum(self._classes.class_at(pointer), node, pointer, value, lax=lax)
        for key in ("oneOf", "anyOf"):
            members = as_list(node.get(key))
            if members and not all(map(is_constraint_only, members)):
                return self._union(key, members, pointer, value)
        return self._by_type(node, pointer, value, lax=lax)

    def _follow(
        self, node: Mapping[str, Any], pointer: str
    ) -> tuple[Mapping[str, Any], str, bool, Component | None]:
        """``node`` past its null alternative and ``$ref``s (a loop, never recursion).

        Stops at a model or enum component (returned as the fourth item, its
        class is the type) or at a schema that is not a bare reference.
        """
        nullable = False
        seen: set[str] = set()
        while True:
            node, maybe_null = split_null(node)
            nullable = nullable or maybe_null
            ref = as_str(node.get("$ref"))
            if ref is None:
                return node, pointer, nullable, None
            if ref in seen:
                raise DefaultError("cannot be checked: its $ref chain loops")
            seen.add(ref)
            component = self._classes.components.get(ref)
            node, pointer = resolve(self._classes.document, node, pointer)
            if component is not None:
                nullable = nullable or component.nullable
                if component.kind != "alias":
                    inner, _ = split_null(node)
                    return inner, pointer, nullable, component

    def _named(
        self,
        component: Component,
        node: Mapping[str, Any],
        pointer: str,
        value: Any,
        *,
        nullable: bool,
        lax: bool,
    ) -> Written:
        if value is None:
            if nullable:
                return Written("None", None)
            raise DefaultError("is null, which the schema does not allow")
        if component.kind == "enum":
            return self._enum(component.name, node, pointer, value, lax=lax)
        if self._classes.is_model(component.name):
            if "allOf" in node:
                classes = self._classes
                node = merge_all_of(
                    classes.document, node, pointer, classes.diagnostics, classes.merged
                )
            return self._model(component.name, node, pointer, value, lax=lax)
        raise DefaultError(f"cannot be checked against {component.name}")

    # -- shapes ------------------------------------------------------------------

    def _any(self, value: Any) -> Written:
        try:
            source = python_literal(value)
        except TypeError as error:
            raise DefaultError("is not a JSON value") from error
        return Written(source, value, mutable=isinstance(value, list | tuple | Mapping))

    def _model(
        self, name: str, node: Mapping[str, Any], pointer: str, value: Any, *, lax: bool
    ) -> Written:
        if not isinstance(value, Mapping):
            raise DefaultError(f"is {_json_type(value)}, not an object of {name}")
        properties = as_map(node.get("properties"))
        origins = as_map(node.get(PROPERTY_ORIGINS))
        for wire in as_list(node.get("required")):
            if isinstance(wire, str) and wire not in value:
                raise DefaultError(f"misses the required property {wire!r} of {name}")
        coerced: dict[str, Any] = {}
        for key, item in value.items():
            wire = str(key)
            if wire not in properties:
                coerced[wire] = item
                continue
            origin = as_str(origins.get(wire)) or pointer
            try:
                written = self._convert(
                    properties[wire], join_pointer(origin, "properties", wire), item, lax=lax
                )
            except DefaultError as error:
                raise DefaultError(f"has a property {wire!r} that {error}") from None
            tags = self._classes.tag_values(name, wire)
            if tags is not None and not any(_same(written.value, tag) for tag in tags):
                raise DefaultError(f"has {wire!r} = {brief(item)}, not a tag of {name}")
            coerced[wire] = written.value
        source = f"{name}.model_validate({python_literal(coerced)})"
        return Written(source, coerced, models=frozenset({name}), mutable=True, plain=False)

    def _const(self, node: Mapping[str, Any], pointer: str, value: Any, *, lax: bool) -> Written:
        expected = node["const"]
        rest = {key: item for key, item in node.items() if key != "const"}
        written = self._by_type(rest, pointer, value, lax=lax) if "type" in rest else None
        actual = value if written is None else written.value
        if not _same(actual, expected):
            raise DefaultError(f"is not the schema's const {brief(expected)}")
        return written or self._any(value)

    def _enum(
        self, name: str | None, node: Mapping[str, Any], pointer: str, value: Any, *, lax: bool
    ) -> Written:
        values = as_list(node.get("enum"))
        rest = {key: item for key, item in node.items() if key != "enum"}
        written = self._by_type(rest, pointer, value, lax=lax) if "type" in rest else None
        actual = value if written is None else written.value
        if not any(_same(actual, allowed) for allowed in values):
            listed = ", ".join(brief(v, 20) for v in unique_values(values)[:5])
            raise DefaultError(f"is not one of the enum values ({listed})")
        enum = self._classes.enums.get(name) if name is not None else None
        if enum is None:
            return written or self._any(value)
        written_value = python_literal(float(actual) if enum.value_type == "float" else actual)
        for member in enum.members:
            if member.value == written_value:
                return Written(f"{enum.name}.{member.name}", actual, models=frozenset({enum.name}))
        raise DefaultError(f"is not a value of the enum {enum.name}")

    def _union(self, key: str, members: list[Any], pointer: str, value: Any) -> Written:
        for lax in (False, True):
            for index, member in enumerate(members):
                if is_constraint_only(member):
                    continue
                try:
                    return self._convert(member, join_pointer(pointer, key, index), value, lax=lax)
                except DefaultError:
                    continue
        raise DefaultError(f"matches no member of the {key}")

    def _by_type(self, node: Mapping[str, Any], pointer: str, value: Any, *, lax: bool) -> Written:
        kind = node.get("type")
        if isinstance(kind, list):
            kinds = [item for item in kind if isinstance(item, str)]
            for strict_first in (False, True) if lax else (False,):
                for item in kinds:
                    try:
                        return self._by_type(
                            {**node, "type": item}, pointer, value, lax=strict_first
                        )
                    except DefaultError:
                        continue
            raise DefaultError(f"is {_json_type(value)}, not one of the types {kinds}")
        if kind is None:
            if "items" in node or "prefixItems" in node:
                kind = "array"
            elif "properties" in node or "additionalProperties" in node:
                kind = "object"
            else:
                return self._any(value)
        if kind == "string":
            return self._string(as_str(node.get("format")) or "", value, lax=lax)
        if kind == "integer":
            return self._integer(value, lax=lax)
        if kind == "number":
            return self._number(value, lax=lax)
        if kind == "boolean":
            return self._boolean(value, lax=lax)
        if kind == "null":
            if value is None:
                return Written("None", None)
            raise DefaultError(f"is {_json_type(value)}, not null")
        if kind == "array":
            return self._array(node, pointer, value)
        if kind == "object":
            return self._map(node, pointer, value)
        return self._any(value)

    def _array(self, node: Mapping[str, Any], pointer: str, value: Any) -> Written:
        if not isinstance(value, list | tuple):
            raise DefaultError(f"is {_json_type(value)}, not an array")
        prefix = as_list(node.get("prefixItems"))
        rest = node.get("items")
        shape = tuple_shape(node)
        if shape is not None and shape.closed and not shape.min_items <= len(value) <= len(prefix):
            raise DefaultError(f"has {len(value)} items; the tuple takes {len(prefix)}")
        parts: list[Written] = []
        for index, item in enumerate(value):
            if index < len(prefix):
                schema: object = prefix[index]
                item_pointer = join_pointer(pointer, "prefixItems", index)
            else:
                schema = True if rest is None else rest
                item_pointer = join_pointer(pointer, "items")
            try:
                parts.append(self._convert(schema, item_pointer, item, lax=True))
            except DefaultError as error:
                raise DefaultError(f"has an item {index} that {error}") from None
        imports, models, plain = _merge(parts)
        values = [part.value for part in parts]
        if shape is not None:
            inner = ", ".join(part.source for part in parts)
            source = f"({inner},)" if len(parts) == 1 else f"({inner})"
            mutable = any(part.mutable for part in parts)
            return Written(source, values, imports, models, mutable, plain)
        source = "[" + ", ".join(part.source for part in parts) + "]"
        return Written(source, values, imports, models, True, plain)

    def _map(self, node: Mapping[str, Any], pointer: str, value: Any) -> Written:
        if not isinstance(value, Mapping):
            raise DefaultError(f"is {_json_type(value)}, not an object")
        extra = node.get("additionalProperties")
        name = self._classes.class_at(pointer)
        if name is not None and self._classes.is_model(name):
            return self._model(name, node, pointer, value, lax=True)
        parts: dict[str, Written] = {}
        for key, item in value.items():
            if isinstance(extra, Mapping):
                try:
                    parts[str(key)] = self._convert(
                        extra, join_pointer(pointer, "additionalProperties"), item, lax=True
                    )
                except DefaultError as error:
                    raise DefaultError(f"has a value {str(key)!r} that {error}") from None
            else:
                parts[str(key)] = self._any(item)
        imports, models, plain = _merge(list(parts.values()))
        items = ", ".join(f"{string_literal(key)}: {part.source}" for key, part in parts.items())
        values = {key: part.value for key, part in parts.items()}
        return Written("{" + items + "}", values, imports, models, True, plain)

    # -- scalars -----------------------------------------------------------------

    def _string(self, fmt: str, value: Any, *, lax: bool) -> Written:
        if fmt == "date":
            return _date(value)
        if fmt == "date-time":
            return _date_time(value)
        if fmt == "time":
            return _time(value)
        if fmt == "uuid":
            return _uuid(value)
        if isinstance(value, datetime.date | datetime.time):
            value = value.isoformat()  # YAML reads an unquoted 2024-01-02 as a date
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if lax and number and (not isinstance(value, float) or math.isfinite(value)):
            value = python_literal(value)
        if not isinstance(value, str):
            raise DefaultError(f"is {_json_type(value)}, not a string")
        if fmt == "binary":
            try:
                return Written(repr(value.encode("utf-8")), value)
            except UnicodeEncodeError as error:
                raise DefaultError("is not valid Unicode") from error
        return Written(string_literal(value), value)

    @staticmethod
    def _integer(value: Any, *, lax: bool) -> Written:
        if isinstance(value, bool):
            raise DefaultError("is a boolean, not an integer")
        if lax and isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
            value = int(value.strip())
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if not isinstance(value, int):
            raise DefaultError(f"is {_json_type(value)}, not an integer")
        return Written(str(value), value)

    @staticmethod
    def _number(value: Any, *, lax: bool) -> Written:
        if isinstance(value, bool):
            raise DefaultError("is a boolean, not a number")
        if lax and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
            value = float(value.strip())
        if not isinstance(value, int | float):
            raise DefaultError(f"is {_json_type(value)}, not a number")
        try:
            number = float(value)
        except OverflowError:
            raise DefaultError("is too large for a float") from None
        return Written(python_literal(number), value)

    @staticmethod
    def _boolean(value: Any, *, lax: bool) -> Written:
        if lax and isinstance(value, str) and value.strip().lower() in ("true", "false"):
            value = value.strip().lower() == "true"
        if not isinstance(value, bool):
            raise DefaultError(f"is {_json_type(value)}, not a boolean")
        return Written(python_literal(value), value)


def _date(value: Any) -> Written:
    if isinstance(value, datetime.datetime):
        raise DefaultError("is a date-time, not a date")
    if isinstance(value, datetime.date):
        day = value
    else:
        match = _DATE_TEXT.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise DefaultError(f"is not a date (YYYY-MM-DD): {brief(value)}")
        try:
            day = datetime.date(*map(int, match.groups()))
        except ValueError as error:
            raise DefaultError(f"is not a valid date: {error}") from None
    return Written(
        f"date({day.year}, {day.month}, {day.day})",
        day.isoformat(),
        frozenset({_DATE}),
        plain=False,
    )


def _offset(text: str | None) -> datetime.tzinfo | None:
    if text is None:
        return None
    if text in ("Z", "z"):
        return datetime.timezone.utc
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 23 or minutes > 59:
        raise DefaultError(f"has an invalid UTC offset {text!r}")
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def _microseconds(fraction: str | None) -> int:
    return int((fraction or ".")[1:7].ljust(6, "0")) if fraction else 0


def _clock(parts: tuple[int, ...]) -> str:
    """The arguments after the date (``3, 4, 5``), trailing zero microseconds left out."""
    shown = list(parts)
    if shown[-1] == 0:
        shown.pop()
    return ", ".join(map(str, shown))


def _date_time(value: Any) -> Written:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        match = _DATE_TIME_TEXT.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise DefaultError(f"is not a date-time (RFC 3339): {brief(value)}")
        year, month, day, hour, minute, second = map(int, match.groups()[:6])
        try:
            moment = datetime.datetime(
                year,
                month,
                day,
                hour,
                minute,
                min(second, 59),  # a leap second is read as the second before it
                _microseconds(match.group(7)),
                tzinfo=_offset(match.group(8)),
            )
        except ValueError as error:
            raise DefaultError(f"is not a valid date-time: {error}") from None
    text = moment.isoformat()
    if moment.tzinfo is not None:
        source = f"datetime.fromisoformat({string_literal(text)})"
    else:
        clock = _clock((moment.hour, moment.minute, moment.second, moment.microsecond))
        source = f"datetime({moment.year}, {moment.month}, {moment.day}, {clock})"
    return Written(source, text, frozenset({_DATETIME}), plain=False)


def _time(value: Any) -> Written:
    if isinstance(value, datetime.time):
        clock = value
    else:
        match = _PARTIAL_TIME.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise DefaultError(f"is not a time (HH:MM:SS): {brief(value)}")
        hour, minute, second = map(int, match.groups()[:3])
        try:
            clock = datetime.time(
                hour,
                minute,
                min(second, 59),
                _microseconds(match.group(4)),
                tzinfo=_offset(match.group(5)),
            )
        except ValueError as error:
            raise DefaultError(f"is not a valid time: {error}") from None
    text = clock.isoformat()
    if clock.tzinfo is not None:
        source = f"time.fromisoformat({string_literal(text)})"
    else:
        source = f"time({_clock((clock.hour, clock.minute, clock.second, clock.microsecond))})"
    return Written(source, text, frozenset({_TIME}), plain=False)


def _uuid(value: Any) -> Written:
    try:
        parsed = uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DefaultError(f"is not a UUID: {brief(value)}")
    text = str(parsed)
    return Written(f"UUID({string_literal(text)})", text, frozenset({_UUID}), plain=False)
