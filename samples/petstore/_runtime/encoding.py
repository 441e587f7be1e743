"""Encoders and decoders for generated clients: parameters, bodies, JSON, open enums.

Parameter encoders implement OpenAPI's ``style`` rules for the styles the
generator's IR names (``simple``, ``label``, ``matrix``, ``form``,
``form_explode``, ``space_delimited``, ``pipe_delimited``, ``deep_object``,
``json``).  Re-exported from :mod:`requestforge.api` and :mod:`requestforge`.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json as _json
import math
import mimetypes
import os
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeGuard, cast
from urllib.parse import quote

from pydantic import BaseModel
from pydantic_core import core_schema, to_jsonable_python

from .errors import InvalidRequestError
from .models import FileSpec

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, TypeAdapter

__all__ = [
    "OpenEnum",
    "compact",
    "cookie_param",
    "form_body",
    "header_param",
    "multipart_body",
    "parse_json",
    "path_param",
    "query_param",
    "text_body",
    "to_json",
]


# -- JSON ------------------------------------------------------------------------

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
_ADAPTERS_LOCK = threading.Lock()


def _adapter(type_: Any) -> TypeAdapter[Any]:
    try:
        adapter = _ADAPTERS.get(type_)
    except TypeError:  # an unhashable type expression: no caching
        return _new_adapter(type_)
    if adapter is None:
        adapter = _new_adapter(type_)
        with _ADAPTERS_LOCK:
            adapter = _ADAPTERS.setdefault(type_, adapter)
    return adapter


def _new_adapter(type_: Any) -> TypeAdapter[Any]:
    # pydantic.type_adapter loads on the first non-model body (a list, a union):
    # a program that only parses models never pays for it.
    from pydantic import TypeAdapter  # noqa: PLC0415

    return TypeAdapter(type_)


def parse_json(content: bytes | str, type_: Any) -> Any:
    """``content`` validated as JSON into ``type_`` (a ``TypeAdapter`` cached per type).

    Typed ``Any`` on purpose: ``type_`` may be a union or ``Annotated`` form,
    which no ``type[T]`` parameter accepts; generated code ``cast``s the result
    to the annotation it passed.
    """
    return _adapter(type_).validate_json(content)


def _is_mapping(value: object) -> TypeGuard[Mapping[Any, Any]]:
    """``isinstance(value, Mapping)``, read by every type checker as a mapping of Any."""
    return isinstance(value, Mapping)


def _is_tuple(value: object) -> TypeGuard[tuple[Any, ...]]:
    """``isinstance(value, tuple)``, read by every type checker as a tuple of Any."""
    return isinstance(value, tuple)


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data: models dumped by alias with unset fields left out.

    A field the caller never set is not sent; one set to ``None`` is sent as
    ``null``.  Lists, tuples and dicts are converted recursively; dates, UUIDs,
    enums and decimals become their JSON forms.
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if _is_mapping(value):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in cast("Sequence[Any]", value)]
    return to_jsonable_python(value)


# -- parameters ------------------------------------------------------------------


def _scalar(value: Any) -> str:
    """The text of one scalar parameter value."""
    kind = type(cast(object, value))  # the usual cases first, without an isinstance chain
    if kind is str:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _scalar(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRequestError(f"parameter value {value!r} is not a finite number")
        return repr(value)
    if isinstance(value, (int, decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(to_jsonable_python(value))
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if value is None:
        return ""
    if isinstance(value, (BaseModel, Mapping, list, tuple)):
        return _json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def _as_object(value: Any) -> Mapping[str, Any] | None:
    """The properties of an object-valued parameter (a model or a mapping), else None."""
    if isinstance(value, BaseModel):
        return {
            key: item
            for key, item in value.model_dump(
                mode="json", by_alias=True, exclude_unset=True
            ).items()
            if item is not None
        }
    if _is_mapping(value):
        return {str(key): item for key, item in value.items() if item is not None}
    return None


def _as_list(value: Any) -> Sequence[Any] | None:
    if isinstance(value, (list, tuple)):
        return [item for item in cast("Sequence[Any]", value) if item is not None]
    return None


def _joined(value: Any, separator: str, *, explode: bool = False) -> str:
    """Arrays ``a,b``; objects ``k,v,k2,v2`` (``k=v,k2=v2`` exploded); scalars as text."""
    items = _as_list(value)
    if items is not None:
        return separator.join(_scalar(item) for item in items)
    props = _as_object(value)
    if props is not None:
        if explode:
            return separator.join(f"{key}={_scalar(item)}" for key, item in props.items())
        return separator.join(f"{key}{separator}{_scalar(item)}" for key, item in props.items())
    return _scalar(value)


_DOT_SEGMENTS = ("", ".", "..")
# RFC 3986 "unreserved": what ``quote(text, safe="")`` leaves as it is.
_UNRESERVED_TEXT = re.compile(r"[A-Za-z0-9\-._~]*")


def _encode_segment(text: str) -> str:
    # ``safe=""``: everything outside RFC 3986 "unreserved" is percent-encoded,
    # so "/", "?", "#", "%", ";" and "," inside a value stay inside it.
    return quote(text, safe="")


def path_param(value: Any, style: str = "simple", *, name: str = "", explode: bool = False) -> str:
    """One path parameter, percent-encoded so it can never change the request path.

    ``simple``: ``a,b``; ``label``: ``.a.b``; ``matrix``: ``;name=a,b``.  A value
    whose encoding would be an empty, ``.`` or ``..`` path segment is refused with
    :class:`InvalidRequestError`: HTTP libraries and servers normalise such
    segments away (``requests`` even decodes ``%2E``), so no encoding can keep them.
    """
    if style == "simple":
        # The common case, an id: an int, or a str of unreserved characters only,
        # is its own encoding (and never a dot segment, checked below for str).
        kind = type(cast(object, value))
        if kind is int or (kind is str and _UNRESERVED_TEXT.fullmatch(value) is not None):
            text = str(value)
            if text not in _DOT_SEGMENTS:
                return text
    if value is None:
        raise InvalidRequestError(f"path parameter {name or ''!s} must not be None".strip())
    items = _as_list(value)
    props = _as_object(value) if items is None else None
    if style == "simple":
        encoded = _encode_path_value(items, props, value, ",", explode=explode)
    elif style == "label":
        separator = "." if explode else ","
        encoded = "." + _encode_path_value(items, props, value, separator, explode=explode)
    elif style == "matrix":
        prefix = ";" + _encode_segment(name)
        if items is not None and explode:
            encoded = "".join(f"{prefix}={_encode_segment(_scalar(item))}" for item in items)
        elif props is not None and explode:
            encoded = "".join(
                f";{_encode_segment(key)}={_encode_segment(_scalar(item))}"
                for key, item in props.items()
            )
        else:
            encoded = f"{prefix}={_encode_path_value(items, props, value, ',', explode=False)}"
    else:
        raise InvalidRequestError(f"unsupported path parameter style {style!r}")
    if encoded in _DOT_SEGMENTS:
        raise InvalidRequestError(
            f"path parameter {name + ' ' if name else ''}value {value!r} would change the "
            "request path (empty, '.' or '..' segment)"
        )
    return encoded


def _encode_path_value(
    items: Sequence[Any] | None,
    props: Mapping[str, Any] | None,
    value: Any,
    separator: str,
    *,
    explode: bool,
) -> str:
    if items is not None:
        return separator.join(_encode_segment(_scalar(item)) for item in items)
    if props is not None:
        if explode:
            return separator.join(
                f"{_encode_segment(key)}={_encode_segment(_scalar(item))}"
                for key, item in props.items()
            )
        return separator.join(
            f"{_encode_segment(key)}{separator}{_encode_segment(_scalar(item))}"
            for key, item in props.items()
        )
    return _encode_segment(_scalar(value))


def query_param(name: str, value: Any, style: str = "form_explode") -> list[tuple[str, str]]:
    """A query parameter as ``(name, text)`` pairs (URL-encoding happens on send).

    ``None`` gives no pair.  ``form``: ``x=a,b``; ``form_explode``: ``x=a&x=b``
    (an object gives one pair per property); ``space_delimited`` / ``pipe_delimited``:
    ``x=a b`` / ``x=a|b``; ``deep_object``: ``x[a]=1&x[b]=2`` (nested objects
    nest); ``json``: the value's JSON text.
    """
    if value is None:
        return []
    if style == "json":
        return [(name, _json.dumps(to_json(value), separators=(",", ":"), ensure_ascii=False))]
    if style == "form":
        return [(name, _joined(value, ","))]
    if style == "space_delimited":
        return [(name, _joined(value, " "))]
    if style == "pipe_delimited":
        return [(name, _joined(value, "|"))]
    if style == "form_explode":
        items = _as_list(value)
        if items is not None:
            return [(name, _scalar(item)) for item in items]
        props = _as_object(value)
        if props is not None:
            return [(key, _scalar(item)) for key, item in props.items()]
        return [(name, _scalar(value))]
    if style == "deep_object":
        return _deep_object(name, value)
    raise InvalidRequestError(f"unsupported query parameter style {style!r}")


def _deep_object(prefix: str, value: Any) -> list[tuple[str, str]]:
    props = _as_object(value)
    if props is not None:
        pairs: list[tuple[str, str]] = []
        for key, item in props.items():
            pairs.extend(_deep_object(f"{prefix}[{key}]", item))
        return pairs
    items = _as_list(value)
    if items is not None:
        return [(prefix, _scalar(item)) for item in items]
    return [(prefix, _scalar(value))]


def _check_header_text(text: str, what: str) -> str:
    if any(ch in text for ch in "\r\n\x00"):
        raise InvalidRequestError(f"{what} value contains CR, LF or NUL")
    return text


def header_param(value: Any, style: str = "simple", *, explode: bool = False) -> str | None:
    """A header parameter's text (``simple``: ``a,b``); ``None`` for no header."""
    if value is None:
        return None
    if style == "json":
        text = _json.dumps(to_json(value), separators=(",", ":"))
    elif style == "simple":
        text = _joined(value, ",", explode=explode)
    else:
        raise InvalidRequestError(f"unsupported header parameter style {style!r}")
    return _check_header_text(text, "header")


def cookie_param(value: Any, style: str = "form") -> str | None:
    """A cookie parameter's text (``form``: ``a,b``); ``None`` for no cookie."""
    if value is None:
        return None
    if style == "json":
        text = _json.dumps(to_json(value), separators=(",", ":"))
    elif style in ("form", "form_explode", "simple"):
        text = _joined(value, ",")
    else:
        raise InvalidRequestError(f"unsupported cookie parameter style {style!r}")
    if any(ch in text for ch in ";"):
        raise InvalidRequestError("cookie value contains ';'")
    return _check_header_text(text, "cookie")


def compact(values: Mapping[str, str | None]) -> dict[str, str]:
    """``values`` without the ``None`` entries (parameters the caller did not pass)."""
    return {key: value for key, value in values.items() if value is not None}


# -- bodies ----------------------------------------------------------------------


def _form_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_scalar(item) for item in cast("Sequence[Any]", value) if item is not None]
    return _scalar(value)


def form_body(value: Any) -> dict[str, Any] | None:
    """An ``application/x-www-form-urlencoded`` body: one field per property.

    Arrays repeat the field, nested objects are sent as JSON text, booleans as
    ``true``/``false``; properties that are unset or ``None`` are left out.
    """
    if value is None:
        return None
    props = _as_object(value)
    if props is None:
        raise InvalidRequestError(f"a form body must be an object, got {type(value).__name__}")
    return {key: _form_value(item) for key, item in props.items()}


def _is_file(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return True
    if _is_tuple(value):
        parts = value
        if len(parts) in (2, 3):
            return isinstance(parts[1], (bytes, bytearray, str)) or hasattr(parts[1], "read")
        return hasattr(value, "read")
    return hasattr(value, "read")


_OCTET_STREAM = "application/octet-stream"


def _file_part(field_name: str, item: Any) -> FileSpec:
    """``(filename, content, content_type)`` for one file part, always labelled.

    RFC 7578 says a file part SHOULD carry a ``Content-Type``, and
    ``application/octet-stream`` when nothing better is known; servers (and
    Prism) reject or crash on unlabelled parts.  The type is guessed from the
    filename when the caller gave none.
    """
    filename: str
    content: Any
    if _is_tuple(item):
        parts = item
        if len(parts) == 3:
            return cast("FileSpec", parts)
        filename, content = parts
    elif isinstance(item, (bytes, bytearray, memoryview)):
        filename, content = field_name, bytes(cast(Any, item))
    else:
        name = getattr(item, "name", None)
        filename, content = (os.path.basename(name) if isinstance(name, str) else field_name), item
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return (filename, content, guessed or _OCTET_STREAM)


def multipart_body(value: Any) -> tuple[dict[str, Any], dict[str, FileSpec]]:
    """A ``multipart/form-data`` body as ``(data, files)`` for :class:`HttpRequest`.

    ``bytes``, file objects and ``(filename, content[, content_type])`` tuples
    become file parts, each with a ``Content-Type`` (see :func:`_file_part`);
    other properties are text parts (objects as JSON text).
    """
    if value is None:
        return {}, {}
    if isinstance(value, BaseModel):
        raw: Mapping[str, Any] = {
            (field.alias or name): getattr(value, name)
            for name, field in type(value).model_fields.items()
            if name in value.model_fields_set
        }
    elif isinstance(value, Mapping):
        raw = cast("Mapping[str, Any]", value)
    else:
        raise InvalidRequestError(f"a multipart body must be an object, got {type(value).__name__}")
    data: dict[str, Any] = {}
    files: dict[str, FileSpec] = {}
    for key, item in raw.items():
        if item is None:
            continue
        if _is_file(item):
            files[key] = _file_part(key, item)
        elif isinstance(item, (list, tuple)) and any(
            _is_file(part) for part in cast("Sequence[Any]", item)
        ):
            raise InvalidRequestError(
                f"multipart field {key!r}: several files under one name are not supported"
            )
        else:
            data[key] = _form_value(item)
    return data, files


def text_body(value: str | None) -> bytes | None:
    """A ``text/*`` body encoded as UTF-8 (``None``: no body)."""
    return None if value is None else value.encode("utf-8")


# -- enums -----------------------------------------------------------------------


#: The Python types of JSON scalars: what ``OpenEnum``'s validator turns into members.
_ENUM_SCALARS = frozenset({str, int, float, bool})


class OpenEnum:
    """Mixin for generated enums: ``class Status(OpenEnum, str, Enum)``.

    A value the spec did not list (a newer server's) becomes a *pseudo-member*
    instead of a ``ValueError``: it compares equal to its value, serialises back
    to it, and is cached so ``Status("new") is Status("new")``.  It is not part
    of iteration or ``len``; :attr:`is_known` tells the two apart.
    """

    _value_: Any
    _name_: str

    @classmethod
    def _missing_(cls, value: object) -> Any:
        enum_cls: Any = cls
        member_type: type = enum_cls._member_type_
        if member_type is str and not isinstance(value, str):
            return None
        if member_type is int and (isinstance(value, bool) or not isinstance(value, int)):
            return None
        if member_type is float and (
            isinstance(value, bool) or not isinstance(value, (int, float))
        ):
            return None
        if member_type is object:
            pseudo: Any = object.__new__(enum_cls)
        else:
            pseudo = member_type.__new__(enum_cls, cast(Any, value))
        pseudo._value_ = value
        pseudo._name_ = f"UNKNOWN_{value}"
        return enum_cls._value2member_map_.setdefault(value, pseudo)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """pydantic's enum schema, with a plain value of the member type made a member first.

        Generated models annotate enum fields ``Status | Literal["a", "b"]`` so
        that type checkers accept the plain values.  pydantic's smart union
        prefers an exact match over a coercion, so ``"a"`` would validate as the
        ``Literal`` and the field would hold a plain string where every other
        value holds a member.  Converted here, the value reaches the enum
        validator as a member -- an exact match, and the enum comes first -- so
        the field holds ``Status.A`` as it did before the ``Literal`` was added.
        The scalars a ``Literal`` of the values could take (``True`` and ``1.0``
        equal ``1``) are converted the same way, so they too give the member
        pydantic's lax enum validation gave them.  A value the enum refuses
        (``1`` for a string enum) passes unchanged and fails, or coerces, as
        pydantic's own enum validation has it, with its messages.
        """
        enum_cls: Any = cls
        members: Mapping[Any, Any] = enum_cls._value2member_map_  # pseudo-members join it

        def to_member(value: Any) -> Any:
            if type(value) not in _ENUM_SCALARS:
                return value
            member = members.get(value)
            if member is not None:
                return member
            try:
                return enum_cls(value)
            except ValueError:
                return value

        return core_schema.no_info_before_validator_function(to_member, handler(source))

    @property
    def is_known(self) -> bool:
        """Whether this value is one the spec listed."""
        members: Mapping[str, Any] = getattr(type(self), "__members__", {})
        return self._name_ in members
