"""Tolerant parsing of success bodies: a server that drifts from its spec still answers.

Real servers return what their documents cannot say (a Swagger 2.0 spec has no
``nullable``, so Jupyter Server's ``null`` in a "required string" is invalid
by the letter of its own document).  Raising ``ValidationError`` for such a
2xx response makes the whole operation unusable, so by default a body that
does not validate is *salvaged*: every part that validates is typed, every
part that does not keeps its raw JSON value, and each such place is reported
as a :class:`Deviation` (a JSON pointer into the body and pydantic's reason).

The conforming path costs nothing extra: the body is validated from bytes in
one call exactly as before, and only a failure walks the data.  Static types
do not change (a salvaged model is built with ``model_construct``, so a field
that did not validate holds its raw value at run time).  Requests are never
salvaged; this is for what the server sent.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import json
import logging
import threading
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from .encoding import _adapter

__all__ = ["Deviation", "log_deviations", "salvage", "validate_tolerantly"]

_LOG = logging.getLogger("requestforge.responses")

#: How deep a salvage walks; deeper drift keeps its raw value (bounded work
#: on a hostile body, and no RecursionError).
_MAX_DEPTH = 64


@dataclass(frozen=True)
class Deviation:
    """One place where a response body did not match its declared schema."""

    pointer: str  # RFC 6901, into the body: "/items/0/name"; "" is the whole body
    message: str  # what pydantic said

    def field(self) -> str:
        """The pointer with list indexes folded (``/items/*/name``): one per schema field."""
        return "/".join("*" if token.isdigit() else token for token in self.pointer.split("/"))


def validate_tolerantly(content: bytes | str, type_: Any) -> tuple[Any, tuple[Deviation, ...]]:
    """``content`` validated into ``type_``; what does not validate keeps its JSON value.

    Returns the value and the deviations (empty when the body conforms).  A body
    that is not JSON at all raises pydantic's ``ValidationError`` as before:
    there is nothing typed to salvage from it.
    """
    adapter = _adapter(type_)
    try:
        return adapter.validate_json(content), ()
    except ValidationError as error:
        return salvage(content, type_, error)


def salvage(
    content: bytes | str, type_: Any, invalid: ValidationError
) -> tuple[Any, tuple[Deviation, ...]]:
    """The salvage of ``content``, which failed to validate as ``type_`` with ``invalid``.

    For a caller that already tried the one-call validation (the fast path of
    every conforming response): the work is not done twice.  A body that is
    not JSON raises ``invalid``.
    """
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        raise invalid from None  # not JSON: pydantic's error says where it broke
    found: list[Deviation] = []
    value = _salvage(type_, data, "", found, 0)
    return value, tuple(found)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _reason(error: ValidationError) -> str:
    """pydantic's first complaint, without the input (it may be personal data)."""
    errors = error.errors(include_url=False, include_input=False)
    return str(errors[0]["msg"]) if errors else "does not validate"


def _non_null_arms(type_: Any) -> Sequence[Any] | None:
    """The arms of a union annotation other than ``None``; ``None`` if not a union."""
    origin = typing.get_origin(type_)
    if origin is typing.Union or origin is types.UnionType:
        return [arm for arm in typing.get_args(type_) if arm is not type(None)]
    return None


def _salvage(type_: Any, data: Any, pointer: str, found: list[Deviation], depth: int) -> Any:
    """``data`` as ``type_`` where it validates, raw where it does not (recording why)."""
    try:
        return _adapter(type_).validate_python(data)
    except ValidationError as error:
        problem = _reason(error)
    if depth < _MAX_DEPTH:
        salvaged = _salvage_inside(type_, data, pointer, found, depth + 1)
        if salvaged is not _RAW:
            return salvaged
    found.append(Deviation(pointer, problem))
    return data


#: "no structure to walk into": the caller keeps the raw value.
_RAW: Any = object()


def _salvage_inside(type_: Any, data: Any, pointer: str, found: list[Deviation], depth: int) -> Any:
    """The salvage of a model, list, dict or single-arm union; ``_RAW`` for anything else."""
    arms = _non_null_arms(type_)
    if arms is not None:
        return _salvage(arms[0], data, pointer, found, depth) if len(arms) == 1 else _RAW
    annotated = typing.get_origin(type_) is typing.Annotated
    if annotated:
        return _salvage_inside(typing.get_args(type_)[0], data, pointer, found, depth)
    if isinstance(type_, type) and issubclass(type_, BaseModel) and isinstance(data, dict):
        return _salvage_model(type_, cast("dict[str, Any]", data), pointer, found, depth)
    origin = typing.get_origin(type_)
    arguments = typing.get_args(type_)
    if origin in (list, Sequence) and isinstance(data, list) and len(arguments) == 1:
        return [
            _salvage(arguments[0], item, f"{pointer}/{index}", found, depth)
            for index, item in enumerate(cast("list[object]", data))
        ]
    if origin is dict and isinstance(data, dict) and len(arguments) == 2:
        return {
            key: _salvage(arguments[1], item, f"{pointer}/{_escape(str(key))}", found, depth)
            for key, item in cast("dict[object, object]", data).items()
        }
    return _RAW


def _salvage_model(
    model: type[BaseModel], data: dict[str, Any], pointer: str, found: list[Deviation], depth: int
) -> BaseModel:
    """``model`` built field by field: each field validated on its own, or kept raw.

    A model that allows additional properties keeps the body's other keys too,
    each salvaged as its declared value type, as validation would have kept them.
    """
    values: dict[str, Any] = {}
    known: set[str] = set()
    for name, info in model.model_fields.items():
        key = info.alias if info.alias is not None else name
        known.update((key, name))
        here = f"{pointer}/{_escape(key)}"
        if key in data:
            values[name] = _salvage(info.annotation, data[key], here, found, depth)
        elif name in data and info.alias is not None:
            values[name] = _salvage(info.annotation, data[name], here, found, depth)
        elif info.is_required():
            found.append(Deviation(here, "Field required"))
    fields_set = set(values)
    if model.model_config.get("extra") == "allow":
        extra_type = _extra_type(model)
        # A body's keys are checked, not trusted, to be strings.
        for extra, item in cast("dict[object, Any]", data).items():
            if isinstance(extra, str) and extra not in known:
                here = f"{pointer}/{_escape(extra)}"
                values[extra] = _salvage(extra_type, item, here, found, depth)
    return model.model_construct(_fields_set=fields_set, **values)


def _extra_type(model: type[BaseModel]) -> Any:
    """The value type of ``model``'s additional properties (``Any`` when it declares none)."""
    try:
        hints = typing.get_type_hints(model)
    except (NameError, TypeError):  # an annotation that does not resolve here
        return Any
    arguments = typing.get_args(hints.get("__pydantic_extra__"))
    return arguments[1] if len(arguments) == 2 else Any


_logged: set[tuple[str, str]] = set()
_logged_lock = threading.Lock()


def log_deviations(operation: str, deviations: Iterable[Deviation]) -> None:
    """One warning per operation and schema field, the first time it drifts in this process.

    The message names the place and pydantic's reason, never the value (a body
    may carry personal data or secrets).
    """
    for deviation in deviations:
        key = (operation, deviation.field())
        with _logged_lock:
            if key in _logged:
                continue
            _logged.add(key)
        _LOG.warning(
            "%s: the response does not match its schema at %s (%s); kept the raw value",
            operation,
            deviation.field() or "the body",
            deviation.message,
        )
