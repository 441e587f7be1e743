"""Python names from arbitrary spec text: valid, keyword-safe, unique, deterministic.

Every identifier in a generated client is made here, from text the spec author
chose (schema keys, operationIds, property names, header names...), which may
hold anything: punctuation, unicode, leading digits, Python keywords, nothing
at all.  The rules, in order:

1. **Words.**  The text is NFKD-normalised and reduced to ASCII (``é`` -> ``e``;
   characters with no ASCII form are dropped): Python normalises identifiers
   with NFKC, so two different unicode names could otherwise become one
   identifier behind our back, and ASCII names are typeable everywhere.
   Words are split on every non-alphanumeric character and on case changes
   (``getPetById`` -> get/pet/by/id, ``HTTPServer`` -> http/server).
2. **Shape.**  ``snake_case`` joins lower-cased words with ``_``;
   ``PascalCase`` capitalises each word (so ``ID``/``Id``/``id`` agree);
   ``UPPER_SNAKE`` is for enum members.
3. **Never empty, never a leading digit.**  An empty result becomes the
   caller's fallback word; a leading digit gets the fallback as a prefix
   (``1st`` -> ``field_1st``, ``2fa`` -> ``Model2fa``).  Names never start with
   ``_``: pydantic treats such attributes as private.
4. **Keyword- and context-safe.**  Hard keywords (``class``, ``None``...) and
   each scope's reserved names get a suffix (``_`` for snake names, ``Model``
   for classes).  Soft keywords (``match``, ``case``, ``type``) are legal
   identifiers everywhere and stay as they are; so do builtins such as ``id``
   or ``filter`` where shadowing them is harmless (keyword arguments).
5. **Unique.**  A :class:`NameScope` hands out names first come, first served;
   a later collision gets ``_2``, ``_3``... (``Name2``... for classes).  Callers
   feed a scope in a deterministic order (sorted keys or the spec's order), so
   the same document always gives the same names.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import keyword
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "ANNOTATION_NAMES",
    "BASEMODEL_ATTRIBUTES",
    "CLASS_RESERVED",
    "FIELD_RESERVED",
    "PARAMETER_RESERVED",
    "TAG_RESERVED",
    "NameScope",
    "is_valid_name",
    "pascal_case",
    "shorten",
    "snake_case",
    "upper_snake",
    "words",
]

_CASE_BOUNDARY_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CASE_BOUNDARY_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")

#: Lower-case names that annotations in generated modules use.  A model field
#: ``date: date | None`` breaks pydantic (the class namespace shadows the type
#: while annotations are evaluated), so fields and parameters never take them.
ANNOTATION_NAMES = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "date", "datetime", "time"}
)

#: Public attributes of the generated models' base class, ``pydantic.BaseModel``
#: and its metaclass (``mro``, ``register``): a field with one of these names
#: shadows the attribute (a warning at import, an error under ``-W error``, or a
#: broken model).  A test keeps it equal to what the installed pydantic has.
BASEMODEL_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "mro",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "register",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)

#: Field names that cannot be used as-is; names starting ``model_`` are
#: reserved too (see :func:`_field_reserved`).
FIELD_RESERVED = ANNOTATION_NAMES | BASEMODEL_ATTRIBUTES

#: Names an endpoint module binds itself: the fixed arguments every function
#: takes, its local variables, the functions it defines and the helpers it
#: imports.  A spec parameter with one of these names would shadow them.
PARAMETER_RESERVED = ANNOTATION_NAMES | frozenset(
    {
        "body",
        "build_request",
        "cast",
        "client",
        "compact",
        "cookie_param",
        "decode_event",
        "form_body",
        "header_param",
        "headers",
        "multipart_body",
        "parse_json",
        "parse_response",
        "path_param",
        "query_param",
        "raise_api_error",
        "raise_stream_error",
        "request",
        "response",
        "self",
        "sync",
        "sync_detailed",
        "text_body",
        "timeout",
        "to_json",
        "warnings",
        "with_json_member",
    }
)

#: Attributes of the generated ``Client`` (and its ``ApiClient`` base) that a
#: resource attribute (one per tag) must not replace.
TAG_RESERVED = frozenset(
    {
        "auth",
        "base_url",
        "close",
        "config",
        "default_base_url",
        "env_prefix",
        "execute",
        "from_env",
        "http",
        "http_client",
        "security_schemes",
        "servers",
        "strict_responses",
        "token_storage",
    }
)

#: Class names generated modules import or define themselves, plus every
#: capitalised builtin (``Exception``, ``Warning``...): a model must not shadow them.
CLASS_RESERVED = frozenset(
    {
        "Annotated",
        "Any",
        "ApiClient",
        "ApiError",
        "ApiModel",
        "ApiResponse",
        "AsyncApiClient",
        "AsyncClient",
        "AsyncIterator",
        "BadRequestError",
        "BaseModel",
        "Client",
        "ConfigDict",
        "ConflictError",
        "CursorPagination",
        "Endpoint",
        "Enum",
        "Field",
        "HttpMethod",
        "HttpRequest",
        "HttpResponse",
        "Iterator",
        "LinkPagination",
        "Literal",
        "Mapping",
        "MissingCredentialsError",
        "NotFoundError",
        "OffsetPagination",
        "OpenEnum",
        "PermissionDeniedError",
        "RateLimitError",
        "Resource",
        "ServerError",
        "TypeAdapter",
        "TypeAlias",
        "UUID",
        "UnauthorizedError",
        "UnprocessableEntityError",
    }
) | frozenset(name for name in dir(builtins) if name[:1].isupper())


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    spaced = _CASE_BOUNDARY_1.sub(r"\1 \2", ascii_text)
    spaced = _CASE_BOUNDARY_2.sub(r"\1 \2", spaced)
    return tuple(word for word in _NON_ALNUM.split(spaced) if word)


def words(text: str) -> list[str]:
    """The ASCII words of ``text``, split on punctuation and case changes."""
    return list(_words(text))


def _fix_start(name: str, fallback: str, joiner: str) -> str:
    if not name:
        return fallback
    if name[0].isdigit():
        return f"{fallback}{joiner}{name}"
    return name


def snake_case(text: str, *, fallback: str = "value") -> str:
    """``text`` as a ``snake_case`` identifier (keywords get a trailing ``_``)."""
    name = _fix_start("_".join(word.lower() for word in words(text)), fallback, "_")
    return name + "_" if keyword.iskeyword(name) else name


def pascal_case(text: str, *, fallback: str = "Model") -> str:
    """``text`` as a ``PascalCase`` class name (``None``/``True``/``False`` get a suffix)."""
    name = _fix_start(
        "".join(word[:1].upper() + word[1:].lower() for word in words(text)), fallback, ""
    )
    return name + fallback if keyword.iskeyword(name) else name


def upper_snake(text: str, *, fallback: str = "VALUE") -> str:
    """``text`` as an ``UPPER_SNAKE`` enum member name."""
    return _fix_start("_".join(word.upper() for word in words(text)), fallback, "_")


#: Longest name used as a file or directory name (modules, operations, tags):
#: file systems stop at 255 bytes, and a path made of several such names must
#: stay usable on Windows too.
MAX_FILE_NAME = 100


def shorten(name: str, limit: int = MAX_FILE_NAME) -> str:
    """``name`` cut to ``limit`` characters, a hash of the whole keeping it distinct."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('_')}_{digest}"


def is_valid_name(name: str) -> bool:
    """True for a usable identifier: not a keyword, not private, ASCII."""
    return (
        name.isidentifier()
        and name.isascii()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
    )


#: Prefixes pydantic (2.10 and later) refuses for field names with a warning
#: however they end, so a suffix cannot help: such names get a prefix instead.
_PROTECTED_PREFIXES = ("model_dump", "model_validate")


def _field_reserved(name: str) -> bool:
    return name in FIELD_RESERVED or name.startswith("model_")


def _field_base(name: str) -> str:
    """The renamed form of a reserved field name (see :class:`NameScope`)."""
    if name.startswith(_PROTECTED_PREFIXES):
        return "field_" + name
    return name + "_"


class NameScope:
    """Unique names within one scope (a module, a model, a function signature).

    ``reserved`` names are never handed out: a candidate equal to one gets
    ``reserved_suffix`` appended once (``json`` -> ``json_``, ``Client`` ->
    ``ClientModel``).  With ``field_rules`` (model fields) names in pydantic's
    ``model_`` namespace are reserved too and get ``_`` (``model_config`` ->
    ``model_config_``), except ``model_dump*``/``model_validate*``, which
    pydantic rejects whatever follows and so become ``field_model_dump...``.
    A candidate already taken gets a counter (``name_2`` or ``Name2``
    depending on ``counter_joiner``).  The next counter to try is kept per
    base name: names are only ever added, so a variant found taken stays
    taken, and resuming there gives the same names as searching from ``2``
    -- without a spec of 10,000 equal names costing 50 million lookups.
    """

    def __init__(
        self,
        *,
        reserved: Iterable[str] = (),
        reserved_suffix: str = "_",
        counter_joiner: str = "_",
        field_rules: bool = False,
    ) -> None:
        self._reserved = frozenset(reserved)
        self._suffix = reserved_suffix
        self._joiner = counter_joiner
        self._field_rules = field_rules
        self._taken: set[str] = set()
        self._next_counter: dict[str, int] = {}

    def take(self, candidate: str) -> str:
        """Claim ``candidate`` (or the first free variant of it) and return it."""
        base = candidate
        if self._field_rules and _field_reserved(candidate):
            base = _field_base(candidate)
        elif candidate in self._reserved:
            base = candidate + self._suffix
        name = base
        if name in self._taken or name in self._reserved:
            counter = self._next_counter.get(base, 2)
            name = f"{base}{self._joiner}{counter}"
            while name in self._taken or name in self._reserved:
                counter += 1
                name = f"{base}{self._joiner}{counter}"
            self._next_counter[base] = counter + 1
        self._taken.add(name)
        return name

    def claim(self, name: str) -> None:
        """Mark ``name`` as used without checks (names fixed elsewhere)."""
        self._taken.add(name)

    def __contains__(self, name: object) -> bool:
        return name in self._taken
