"""Building :class:`~forgegen.ir.TypeRef` values: annotations plus what they need.

Everything that combines annotations (``list[...]``, ``| None``, unions,
``Literal``, discriminated ``Annotated``) lives here, so the spelling of a
type is decided in one place.  Model references carry only their class name
in ``TypeRef.models`` while lowering runs: which *module* a model lands in is
known only once every model exists (import cycles share a module), so
:mod:`.modules` adds the package-relative imports at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..ir import RUNTIME_MODULE, Import, TypeRef
from .literals import python_literal, string_literal

__all__ = [
    "ANY",
    "NONE",
    "dict_of",
    "discriminated",
    "external",
    "fixed_tuple",
    "list_of",
    "literal",
    "literal_of",
    "model_ref",
    "optional",
    "split_top_level",
    "union",
    "variadic_tuple",
    "with_values",
]


def external(annotation: str, module: str | None = None, name: str | None = None) -> TypeRef:
    """A builtin (``module=None``) or a standard-library/third-party name."""
    if module is None:
        return TypeRef(annotation)
    return TypeRef(annotation, frozenset({Import(module, name or annotation, external=True)}))


ANY = external("Any", "typing")
NONE = TypeRef("None")


def model_ref(name: str) -> TypeRef:
    """A reference to a generated model, enum or alias class."""
    return TypeRef(name, models=frozenset({name}))


def _merge(parts: Iterable[TypeRef]) -> tuple[frozenset[Import], frozenset[str]]:
    imports: set[Import] = set()
    models: set[str] = set()
    for part in parts:
        imports |= part.imports
        models |= part.models
    return frozenset(imports), frozenset(models)


def list_of(item: TypeRef) -> TypeRef:
    return TypeRef(f"list[{item.annotation}]", item.imports, item.models)


def fixed_tuple(items: Sequence[TypeRef]) -> TypeRef:
    """``tuple[A, B]``: exactly these items in this order (``tuple[()]``: none)."""
    inner = ", ".join(item.annotation for item in items) if items else "()"
    imports, models = _merge(items)
    return TypeRef(f"tuple[{inner}]", imports, models)


def variadic_tuple(item: TypeRef) -> TypeRef:
    """``tuple[X, ...]``: any number of items, each an ``X``."""
    return TypeRef(f"tuple[{item.annotation}, ...]", item.imports, item.models)


def dict_of(value: TypeRef) -> TypeRef:
    return TypeRef(f"dict[str, {value.annotation}]", value.imports, value.models)


def literal(values: Sequence[Any]) -> TypeRef:
    """``Literal[...]`` of JSON scalars (``None`` becomes ``| None`` outside it)."""
    present = [value for value in values if value is not None]
    base = literal_of([python_literal(value) for value in present])
    return optional(base) if len(present) < len(values) else base


def literal_of(sources: Sequence[str]) -> TypeRef:
    """``Literal[...]`` of values already written as Python literals (``'"sold"'``, ``"3"``)."""
    return TypeRef(
        f"Literal[{', '.join(sources)}]", frozenset({Import("typing", "Literal", external=True)})
    )


#: A double-quoted string literal (the only quoting :mod:`.literals` writes) or a name.
_STRING_OR_NAME = re.compile(r'"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*')


def with_values(ref: TypeRef, values: Mapping[str, TypeRef]) -> TypeRef:
    """``ref`` with each class of ``values`` written ``X | <its values>`` wherever it is named.

    ``list[Status] | None`` becomes ``list[Status | Literal["a", "b"]] | None``:
    an annotation of what a caller may *pass*, where the enum's plain values
    type-check as well as its members.  Names inside string literals
    (``Literal["Status"]``, a discriminator) and keyword names are left alone.
    """
    wanted = {name: values[name] for name in ref.models if name in values}
    if not wanted:
        return ref
    used: set[Import] = set()

    def widen(match: re.Match[str]) -> str:
        token = match.group(0)
        extra = wanted.get(token)
        after = match.string[match.end() : match.end() + 1]
        before = match.string[match.start() - 1 : match.start()]
        if extra is None or after in ("=", ".") or before == ".":
            return token
        used.update(extra.imports)
        return f"{token} | {extra.annotation}"

    annotation = _STRING_OR_NAME.sub(widen, ref.annotation)
    if not used:
        return ref
    models = set(ref.models)
    for extra in wanted.values():
        models |= extra.models
    return TypeRef(annotation, ref.imports | used, frozenset(models))


def split_top_level(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` wherever no bracket and no string literal is open.

    The parts are kept exactly as written (``"A | list[B | C]"`` at ``" | "``
    gives ``A`` and ``list[B | C]``); a quote inside a string literal is
    skipped by its backslash.
    """
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char in "\"'":
            end = index + 1
            while end < len(text) and text[end] != char:
                end += 2 if text[end] == "\\" else 1
            current.append(text[index : end + 1])
            index = end + 1
            continue
        if depth == 0 and text.startswith(separator, index):
            parts.append("".join(current))
            current = []
            index += len(separator)
            continue
        current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def _alternatives(annotation: str) -> list[str]:
    """Top-level ``|`` alternatives of an annotation (brackets respected)."""
    if " | " not in annotation:  # most annotations: one type, nothing to scan
        return [annotation]
    if not any(mark in annotation for mark in "[(\"'"):
        return annotation.split(" | ")
    return split_top_level(annotation, " | ")


def union(members: Sequence[TypeRef]) -> TypeRef:
    """``A | B | ...`` with duplicates removed (first occurrence wins, ``None`` last).

    ``Any`` absorbs everything; a single member is returned as it is.
    """
    if not members:
        return NONE
    if any(member.is_any for member in members):
        return ANY
    seen: list[str] = []
    has_none = False
    for member in members:
        for alternative in _alternatives(member.annotation):
            if alternative == "None":
                has_none = True
            elif alternative not in seen:
                seen.append(alternative)
    imports, models = _merge(members)
    if set(seen) == {"datetime", "date"}:
        # pydantic would read a date string into datetime | date as a midnight
        # datetime; the runtime's alias reads a calendar date as a date.
        seen = ["DateOrDateTime"]
        imports = frozenset({*imports, Import(RUNTIME_MODULE, "DateOrDateTime")})
    if has_none:
        seen.append("None")
    return TypeRef(" | ".join(seen), imports, models)


def optional(base: TypeRef) -> TypeRef:
    """``base | None`` (unchanged if it already admits ``None`` or is ``Any``)."""
    return union([base, NONE])


def discriminated(members: Sequence[TypeRef], property_name: str) -> TypeRef:
    """``Annotated[A | B, Field(discriminator="prop")]`` (pydantic's tagged union)."""
    inner = union(members)
    imports, models = _merge(members)
    imports |= {
        Import("typing", "Annotated", external=True),
        Import("pydantic", "Field", external=True),
    }
    annotation = (
        f"Annotated[{inner.annotation}, Field(discriminator={string_literal(property_name)})]"
    )
    return TypeRef(annotation, frozenset(imports), models)
