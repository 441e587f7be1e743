"""Enum values: which Python shape a JSON ``enum`` list takes, and member names.

A JSON Schema enum may list anything.  The generated enums are ``str``,
``int`` or ``float`` based (open: unknown values still parse), so:

* all strings -> ``str``; all integers -> ``int``; integers and floats ->
  ``float`` (values written as floats, so ``1`` is ``1.0`` like the members
  Python would create);
* booleans, or a mix of strings/numbers/booleans -> not an enum class but
  ``Literal[...]`` of the values (still exact; a warning says so for mixes);
* objects, arrays, or floats mixed with strings -> not representable: the
  schema is typed without its ``enum`` and a warning says so.

Member names are ``UPPER_SNAKE`` of the value; values that give no letters
(``""``, ``"-"``, numbers) become ``EMPTY``/``VALUE``/``VALUE_1``/
``VALUE_MINUS_1``/``VALUE_1_5``; collisions get ``_2``, ``_3`` in list order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ..ir import EnumMember
from .literals import python_literal
from .naming import upper_snake

__all__ = ["EnumKind", "duplicates", "enum_kind", "enum_members", "unique_values"]

EnumKind = Literal["str", "int", "float", "literal", "unsupported"]


def unique_values(values: Sequence[Any]) -> list[Any]:
    """``values`` without repeats (``1`` and ``True`` kept apart), in order."""
    result: list[Any] = []
    seen: set[tuple[str, str]] = set()
    for value in values:
        key = (type(value).__name__, repr(value))
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def duplicates(values: Sequence[Any]) -> list[tuple[int, int]]:
    """``(index, index of its first occurrence)`` for each value listed again."""
    first: dict[tuple[str, str], int] = {}
    found: list[tuple[int, int]] = []
    for index, value in enumerate(values):
        key = (type(value).__name__, repr(value))
        if key in first:
            found.append((index, first[key]))
        else:
            first[key] = index
    return found


def enum_kind(values: Sequence[Any]) -> EnumKind:
    """How ``values`` (null already removed, at least one) are represented."""
    if all(isinstance(value, str) for value in values):
        return "str"
    if any(isinstance(value, dict | list) for value in values):
        return "unsupported"
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) == len(values):
        return "int" if all(isinstance(value, int) for value in values) else "float"
    if any(isinstance(value, float) for value in values):
        return "unsupported"
    return "literal"


def _member_name(value: Any) -> str:
    if isinstance(value, str):
        return upper_snake(value, fallback="EMPTY" if value == "" else "VALUE")
    text = repr(value).replace("-", "MINUS_").replace(".", "_").replace("+", "")
    return upper_snake(f"VALUE_{text}")


class _MemberNames:
    """Unique member names: a taken candidate gets ``_2``, ``_3``... (the first free one).

    The counter of each candidate is kept, so thousands of values with the same
    name (``"-"``, ``"+"``, ``"*"`` all give ``VALUE``) cost one step each, not
    a search from ``_2`` every time (an enum of 20,000 such values took 37 s to
    generate that way).
    The names are the ones that search finds: a counter only ever moves past
    names that are taken, and taken names stay taken.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}

    def take(self, candidate: str) -> str:
        name = candidate
        counter = self._next.get(candidate, 2)
        while name in self._taken:
            name = f"{candidate}_{counter}"
            counter += 1
        self._next[candidate] = counter
        self._taken.add(name)
        return name


def enum_members(
    values: Sequence[Any],
    kind: EnumKind,
    names: Sequence[object] = (),
    descriptions: Sequence[object] = (),
) -> tuple[EnumMember, ...]:
    """The members of an ``str``/``int``/``float`` enum, names unique.

    ``names`` and ``descriptions`` come from the ``x-enum-varnames`` /
    ``x-enumNames`` and ``x-enum-descriptions`` vendor extensions (openapi-
    generator and NSwag write them); they are used only when they match the
    values one to one, and names still go through :func:`upper_snake`.
    """
    use_names = len(names) == len(values) and all(isinstance(n, str) and n for n in names)
    use_descriptions = len(descriptions) == len(values)
    scope = _MemberNames()
    members = []
    for index, value in enumerate(values):
        written = python_literal(float(value) if kind == "float" else value)
        candidate = upper_snake(str(names[index])) if use_names else _member_name(value)
        description = descriptions[index] if use_descriptions else None
        members.append(
            EnumMember(
                name=scope.take(candidate),
                value=written,
                description=description if isinstance(description, str) else None,
            )
        )
    return tuple(members)
