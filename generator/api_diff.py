"""What a new spec does to code that calls the old client: changes to the generated Python API.

HTTP-level diff tools say a query parameter became required; a reviewer of a
regenerated SDK needs to know that ``client.pets.list_pets(limit=...)`` now
needs ``limit``.  So both specs are lowered to forgegen's IR (the same data the
generated code is printed from) and compared as a user's code sees them: the
attributes of the client, the keyword arguments of each method, the models
and their fields, the enum members, the return types and the error classes.

Each :class:`Change` names the Python symbol and the JSON pointers in both
specs, and says whether it can break working code:

* breaking: a removed or moved operation or tag attribute; a removed,
  renamed, newly required or differently typed parameter (unless the new type
  only widens the old one); a removed model, field, enum member, alias or
  error class; a field that became required or stopped accepting ``None``; a
  return type that changed other than by narrowing; a removed credential or a
  newly required one;
* compatible: a new operation, tag, optional parameter, model, optional
  field, enum member, error class or credential, a wider parameter type, a
  narrower return type, a parameter or field that became optional.

Types are compared as their annotations: a union is its set of top-level
members, so ``str`` -> ``str | None`` widens and ``Pet | Error`` -> ``Pet``
narrows; any other difference is a change of type.  This is the IR's view, so
it sees what a signature differ cannot: enum members, nullability and the
exact annotation of every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from .diagnostics import join_pointer
from .ir import Api, EnumType, Model, Operation, Parameter, TypeAlias
from .lower.types import split_top_level

__all__ = ["Change", "compare_apis", "semver_bump"]

Bump = Literal["major", "minor", "patch"]


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new generated API."""

    breaking: bool
    kind: str  # "parameter became required", "model removed", ...
    symbol: str  # the Python expression a user writes: client.pet.find(status=...)
    detail: str = ""
    old_pointer: str | None = None
    new_pointer: str | None = None


def compare_apis(old: Api, new: Api) -> list[Change]:
    """Every change from ``old`` to ``new``, breaking ones first, each group in API order."""
    changes = [
        *_tags(old, new),
        *_operations(old, new),
        *_models(old, new),
        *_enums(old, new),
        *_aliases(old, new),
        *_credentials(old, new),
    ]
    return sorted(changes, key=lambda change: not change.breaking)


def semver_bump(changes: Iterable[Change]) -> Bump:
    """The version bump the changes call for: major if any breaks, minor if any adds."""
    found = list(changes)
    if any(change.breaking for change in found):
        return "major"
    return "minor" if found else "patch"


# -- types ---------------------------------------------------------------------


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets and string literals, parts stripped."""
    return [part.strip() for part in split_top_level(text, separator)]


def _members(annotation: str) -> frozenset[str]:
    """The members of a union annotation, a ``Literal`` counted value by value.

    ``"A | list[B | C]"`` -> {A, list[B | C]}; ``Literal["a", "b"]`` ->
    {Literal["a"], Literal["b"]}, so a literal that gains a value widens.
    """
    members: set[str] = set()
    for member in _split(annotation, "|"):
        if member.startswith("Literal[") and member.endswith("]"):
            members.update(f"Literal[{value}]" for value in _split(member[8:-1], ","))
        else:
            members.add(member)
    return frozenset(members)


def _covers(wide: str, narrow: str, *, any_fits: bool = False) -> bool:
    """Whether every value of annotation ``narrow`` is one of ``wide``.

    Member by member: each member of ``narrow`` is a member of ``wide``, or
    ``wide`` has ``Any``, or a member of the same generic whose arguments
    cover its arguments (``list[Any]`` covers ``list[dict[str, Any]]``).  With
    ``any_fits``, an ``Any`` in ``narrow`` fits anywhere too: what a type
    checker does with it, both ways.
    """
    wide_members = _members(wide)
    if "Any" in wide_members:
        return True
    return all(
        member in wide_members
        or (any_fits and member == "Any")
        or any(_covers_generic(w, member, any_fits) for w in wide_members)
        for member in _members(narrow)
    )


def _covers_generic(wide: str, narrow: str, any_fits: bool) -> bool:
    head, _, rest = wide.partition("[")
    other_head, _, other_rest = narrow.partition("[")
    if not rest or head != other_head or head == "Literal":
        return False
    wide_args = _split(rest[:-1], ",")
    narrow_args = _split(other_rest[:-1], ",")
    return len(wide_args) == len(narrow_args) and all(
        _covers(w, n, any_fits=any_fits) for w, n in zip(wide_args, narrow_args, strict=True)
    )


def _only_towards_any(old: str, new: str) -> bool:
    """Whether ``new`` differs from ``old`` only by ``Any``: code written for ``old`` checks."""
    return _covers(old, new, any_fits=True)


def _relation(old: str, new: str) -> Literal["same", "wider", "narrower", "different"]:
    if old == new:
        return "same"
    if _covers(new, old):
        return "wider"
    if _covers(old, new):
        return "narrower"
    return "different"


# -- the client's attributes ---------------------------------------------------


def _tags(old: Api, new: Api) -> Iterator[Change]:
    before = {tag.python_name: tag for tag in old.tags}
    after = {tag.python_name: tag for tag in new.tags}
    for name in before.keys() - after.keys():
        yield Change(True, "tag attribute removed", f"client.{name}", "every operation of it")
    for name in after.keys() - before.keys():
        yield Change(False, "tag attribute added", f"client.{name}")


def _operation_map(api: Api) -> dict[tuple[str, str], Operation]:
    return {(tag.python_name, op.python_name): op for tag in api.tags for op in tag.operations}


def _operations(old: Api, new: Api) -> Iterator[Change]:
    before, after = _operation_map(old), _operation_map(new)
    gone_tags = {tag.python_name for tag in old.tags} - {tag.python_name for tag in new.tags}
    by_operation_id = {op.operation_id: key for key, op in after.items() if op.operation_id}
    for key in sorted(before):
        operation = before[key]
        symbol = f"client.{key[0]}.{key[1]}()"
        if key in after:
            yield from _operation(operation, after[key], f"client.{key[0]}.{key[1]}")
            continue
        moved = by_operation_id.get(operation.operation_id) if operation.operation_id else None
        if moved is not None and moved not in before:
            target = f"client.{moved[0]}.{moved[1]}()"
            pointers = (operation.pointer, after[moved].pointer)
            yield Change(True, "operation moved", symbol, f"now {target}", *pointers)
        elif key[0] not in gone_tags:
            yield Change(True, "operation removed", symbol, "", operation.pointer, None)
    moved_to = {by_operation_id.get(op.operation_id) for op in before.values() if op.operation_id}
    for key in sorted(after.keys() - before.keys()):
        if key not in moved_to:
            added = after[key]
            symbol = f"client.{key[0]}.{key[1]}()"
            yield Change(False, "operation added", symbol, "", None, added.pointer)


def _call(method: str, parameter: str) -> str:
    return f"{method}({parameter}=...)"


def _operation(old: Operation, new: Operation, method: str) -> Iterator[Change]:
    pointers = (old.pointer, new.pointer)
    yield from _parameters(old, new, method, pointers)
    yield from _body(old, new, method, pointers)
    relation = _relation(old.success_type.annotation, new.success_type.annotation)
    if relation != "same" and _only_towards_any(
        old.success_type.annotation, new.success_type.annotation
    ):
        relation = "narrower"  # reads as before: a type checker lets Any be the old type
    if relation in ("wider", "different"):
        detail = f"{old.success_type.annotation} -> {new.success_type.annotation}"
        yield Change(True, "return type changed", f"{method}()", detail, *pointers)
    elif relation == "narrower":
        detail = f"{old.success_type.annotation} -> {new.success_type.annotation}"
        yield Change(False, "return type narrowed", f"{method}()", detail, *pointers)
    yield from _errors(old, new, method, pointers)
    yield from _security(old, new, method, pointers)


def _parameters(
    old: Operation, new: Operation, method: str, pointers: tuple[str, str]
) -> Iterator[Change]:
    before = {p.python_name: p for p in old.parameters}
    after = {p.python_name: p for p in new.parameters}
    added = [name for name in after if name not in before]
    # A parameter whose keyword changed but that still sends the same wire name
    # from the same place was renamed (the spec's name, or its collision rule).
    renames: dict[str, str] = {}
    for name in [name for name in before if name not in after]:
        wire = (before[name].wire_name, before[name].location)
        match = [a for a in added if (after[a].wire_name, after[a].location) == wire]
        if match and match[0] not in renames.values():
            renames[name] = match[0]
    for name, parameter in before.items():
        symbol = _call(method, name)
        if name in renames:
            yield Change(True, "parameter renamed", symbol, f"now {renames[name]}=", *pointers)
        elif name not in after:
            yield Change(True, "parameter removed", symbol, "", *pointers)
        else:
            yield from _parameter(parameter, after[name], symbol, pointers)
    for name in added:
        if name in renames.values():
            continue
        parameter = after[name]
        kind = "required parameter added" if parameter.required else "optional parameter added"
        yield Change(parameter.required, kind, _call(method, name), "", *pointers)


def _parameter(
    old: Parameter, new: Parameter, symbol: str, pointers: tuple[str, str]
) -> Iterator[Change]:
    if new.required and not old.required:
        yield Change(True, "parameter became required", symbol, "", *pointers)
    elif old.required and not new.required:
        yield Change(False, "parameter became optional", symbol, "", *pointers)
    relation = _relation(old.type.annotation, new.type.annotation)
    detail = f"{old.type.annotation} -> {new.type.annotation}"
    dropped = _members(old.type.annotation) - _members(new.type.annotation)
    if new.required and not old.required and relation == "narrower" and dropped == {"None"}:
        return  # the None an optional parameter took is what "required" took away
    if relation in ("narrower", "different"):
        yield Change(True, "parameter type changed", symbol, detail, *pointers)
    elif relation == "wider":
        yield Change(False, "parameter type widened", symbol, detail, *pointers)


def _body(
    old: Operation, new: Operation, method: str, pointers: tuple[str, str]
) -> Iterator[Change]:
    symbol = _call(method, "body")
    if old.body is None and new.body is not None:
        kind = "required body added" if new.body.required else "optional body added"
        yield Change(new.body.required, kind, symbol, "", *pointers)
    elif old.body is not None and new.body is None:
        yield Change(True, "body removed", symbol, "", *pointers)
    elif old.body is not None and new.body is not None:
        if new.body.required and not old.body.required:
            yield Change(True, "body became required", symbol, "", *pointers)
        relation = _relation(old.body.type.annotation, new.body.type.annotation)
        detail = f"{old.body.type.annotation} -> {new.body.type.annotation}"
        if relation in ("narrower", "different"):
            yield Change(True, "body type changed", symbol, detail, *pointers)


def _errors(
    old: Operation, new: Operation, method: str, pointers: tuple[str, str]
) -> Iterator[Change]:
    module = method.replace("client.", "api.", 1)
    before = {r.error_class for r in old.responses if r.error_class}
    after = {r.error_class for r in new.responses if r.error_class}
    for name in sorted(before - after):
        yield Change(True, "error class removed", f"{module}.{name}", "", *pointers)
    for name in sorted(after - before):
        yield Change(False, "error class added", f"{module}.{name}", "", *pointers)


def _security(
    old: Operation, new: Operation, method: str, pointers: tuple[str, str]
) -> Iterator[Change]:
    # Each alternative is a set of schemes that together satisfy the operation;
    # an old call keeps working when some new alternative needs nothing new.
    before = [frozenset(option) for option in old.security] or [frozenset()]
    after = [frozenset(option) for option in new.security] or [frozenset()]
    if not any(any(option <= had for had in before) for option in after):
        needed = sorted({name for option in after for name in option})
        detail = "needs " + " or ".join(needed)
        yield Change(True, "new credential required", f"{method}()", detail, *pointers)


# -- models, enums, aliases ------------------------------------------------------


def _models(old: Api, new: Api) -> Iterator[Change]:
    before = {model.name: model for model in old.models}
    after = {model.name: model for model in new.models}
    for name in sorted(before.keys() - after.keys()):
        yield Change(True, "model removed", f"models.{name}", "", before[name].pointer, None)
    for name in sorted(after.keys() - before.keys()):
        yield Change(False, "model added", f"models.{name}", "", None, after[name].pointer)
    for name in sorted(before.keys() & after.keys()):
        yield from _fields(before[name], after[name])


def _fields(old: Model, new: Model) -> Iterator[Change]:
    before = {field.python_name: field for field in old.fields}
    after = {field.python_name: field for field in new.fields}
    for name, field in before.items():
        symbol = f"models.{old.name}.{name}"
        pointers = (
            join_pointer(old.pointer, "properties", field.wire_name) if old.pointer else None,
            join_pointer(new.pointer, "properties", field.wire_name) if new.pointer else None,
        )
        now = after.get(name)
        if now is None:
            yield Change(True, "field removed", symbol, "", pointers[0], None)
            continue
        if now.required and not field.required:
            yield Change(True, "field became required", symbol, "", *pointers)
        elif field.required and not now.required:
            yield Change(False, "field became optional", symbol, "", *pointers)
        old_type, new_type = field.type.annotation, now.type.annotation
        # An optional field's None is its absence, not the spec's nullable: only
        # a field required on both sides says what null means.
        both_required = field.required and now.required
        if both_required and "None" in _members(old_type) and "None" not in _members(new_type):
            yield Change(True, "field no longer nullable", symbol, "", *pointers)
        relation = _relation(old_type, new_type)
        only_none = {"None"} == _members(old_type) - _members(new_type)
        if relation == "different" or (relation == "narrower" and not only_none):
            detail = f"{old_type} -> {new_type}"
            yield Change(True, "field type changed", symbol, detail, *pointers)
        elif relation == "wider" and _only_towards_any(old_type, new_type):
            detail = f"{old_type} -> {new_type}"
            yield Change(False, "field type widened", symbol, detail, *pointers)
        elif relation == "wider":
            # Read from a response, a wider field breaks code that relied on the old type.
            detail = f"{old_type} -> {new_type}"
            yield Change(True, "field type changed", symbol, detail, *pointers)
    for name in after.keys() - before.keys():
        field = after[name]
        symbol = f"models.{new.name}.{name}"
        pointer = join_pointer(new.pointer, "properties", field.wire_name) if new.pointer else None
        kind = "required field added" if field.required else "optional field added"
        yield Change(field.required, kind, symbol, "", None, pointer)


def _enums(old: Api, new: Api) -> Iterator[Change]:
    before: dict[str, EnumType] = {enum.name: enum for enum in old.enums}
    after: dict[str, EnumType] = {enum.name: enum for enum in new.enums}
    for name in sorted(before.keys() - after.keys()):
        yield Change(True, "enum removed", f"models.{name}", "", before[name].pointer, None)
    for name in sorted(after.keys() - before.keys()):
        yield Change(False, "enum added", f"models.{name}", "", None, after[name].pointer)
    for name in sorted(before.keys() & after.keys()):
        pointers = (before[name].pointer, after[name].pointer)
        had = {member.name: member.value for member in before[name].members}
        has = {member.name: member.value for member in after[name].members}
        for member in [m for m in had if m not in has]:
            detail = f"value {had[member]}"
            yield Change(True, "enum member removed", f"models.{name}.{member}", detail, *pointers)
        for member in [m for m in has if m not in had]:
            detail = f"value {has[member]}"
            yield Change(False, "enum member added", f"models.{name}.{member}", detail, *pointers)


def _aliases(old: Api, new: Api) -> Iterator[Change]:
    before: dict[str, TypeAlias] = {alias.name: alias for alias in old.aliases}
    after: dict[str, TypeAlias] = {alias.name: alias for alias in new.aliases}
    for name in sorted(before.keys() - after.keys()):
        yield Change(True, "type alias removed", f"models.{name}", "", before[name].pointer, None)
    for name in sorted(after.keys() - before.keys()):
        yield Change(False, "type alias added", f"models.{name}", "", None, after[name].pointer)
    for name in sorted(before.keys() & after.keys()):
        old_type, new_type = before[name].target.annotation, after[name].target.annotation
        if _relation(old_type, new_type) != "same":
            pointers = (before[name].pointer, after[name].pointer)
            detail = f"{old_type} -> {new_type}"
            yield Change(True, "type alias changed", f"models.{name}", detail, *pointers)


def _credentials(old: Api, new: Api) -> Iterator[Change]:
    def keywords(api: Api) -> dict[str, str]:
        return {
            keyword: scheme.name
            for scheme in api.security_schemes
            for _, keyword in scheme.parameters
        }

    before, after = keywords(old), keywords(new)
    for keyword in sorted(before.keys() - after.keys()):
        detail = f"scheme {before[keyword]!r}"
        yield Change(True, "credential keyword removed", f"Client({keyword}=...)", detail)
    for keyword in sorted(after.keys() - before.keys()):
        detail = f"scheme {after[keyword]!r}"
        yield Change(False, "credential keyword added", f"Client({keyword}=...)", detail)
