"""The degradation policy: a defect in one construct costs that construct, not the client.

Vendors publish documents with defects their users cannot fix: a description
that is a ``$ref`` object, a ``required`` that is a string, an unknown
``type``, a parameter without ``in``.  Refusing the whole document for one of
them leaves the user with no client at all.  So when the document fails
validation, each failing place is degraded and validation runs again:

==========================================  ===================================
what fails                                  what is done
==========================================  ===================================
a keyword of a schema                       the keyword is ignored (an unknown
                                            ``type`` makes the schema ``Any``)
a schema as a whole                         it becomes ``Any``
``description``/``summary``/``title``       the text is ignored
a parameter or header (its name, its ``in``
or the parameter itself)                    the parameter is ignored
a field of another object (an operation's   the field is ignored
``tags``, a media type's ``examples``)
an object as a whole (a response, a server,
an operation, a path item)                  it is ignored
a ``$ref`` left naming something ignored    as for a ``$ref`` that names
                                            nothing (see :mod:`.resolver`)
==========================================  ===================================

Each is a warning naming the JSON pointer, what was wrong and what was done.
Only the document itself is an error: its top level, ``openapi``, ``info``
(its title and version), ``paths`` or ``components`` as a whole.  ``--strict``
turns every one of these warnings into an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostics, SpecError, join_pointer, pointer_tokens
from .resolver import MISSING, removal_order, remove_at, resolve_pointer
from .structure import Kind, walk

__all__ = ["MAX_ROUNDS", "degrade_until_valid"]

#: Validation runs at most this often; a defect that survives is an error.
MAX_ROUNDS = 8

_PROSE = frozenset({"description", "summary", "title", "termsOfService"})
# Fields that make a parameter (or header) what it is: without them it is nothing.
_IDENTITY = {Kind.PARAMETER: frozenset({"name", "in"}), Kind.HEADER: frozenset()}
# Objects whose failure is the document's.
_DOCUMENT_LEVEL = frozenset({Kind.ROOT, Kind.PATHS, Kind.COMPONENTS})
_ROOT_FIELDS = frozenset({"openapi", "info", "paths", "components", "jsonSchemaDialect"})
_INFO_IDENTITY = frozenset({"title", "version"})
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})

_OBJECT_NAMES = {
    Kind.PATH_ITEM: "path",
    Kind.OPERATION: "operation",
    Kind.PARAMETER: "parameter",
    Kind.HEADER: "header",
    Kind.REQUEST_BODY: "request body",
    Kind.MEDIA_TYPE: "media type",
    Kind.ENCODING: "encoding",
    Kind.RESPONSES: "responses",
    Kind.RESPONSE: "response",
    Kind.CALLBACK: "callback",
    Kind.EXAMPLE: "example",
    Kind.LINK: "link",
    Kind.SECURITY_SCHEME: "security scheme",
}

Problems = Callable[[], list[tuple[str, str]]]


@dataclass(frozen=True)
class _Step:
    """One repair: ``replace`` the node at ``pointer`` with ``{}``, or remove it."""

    pointer: str
    replace: bool
    done: str


def degrade_until_valid(
    document: dict[str, Any], problems: Problems, diagnostics: Diagnostics, error: SpecError
) -> None:
    """Degrade ``document`` in place until ``problems()`` finds none, warning for each place.

    ``problems`` validates the document as it is now and returns its failing
    places as ``(pointer, message)``.  ``error`` (the validation's own) is
    raised when a problem is the document's, or when a round changes nothing.
    """
    for _ in range(MAX_ROUNDS):
        found = problems()
        if not found:
            return
        kinds = _object_kinds(document)
        steps: dict[str, _Step] = {}
        for pointer, message in found:
            step = _plan(pointer, kinds, document)
            if step is None:
                raise error
            if step.pointer not in steps:
                steps[step.pointer] = step
                diagnostics.warn(f"{message}; {step.done}", pointer)
        changed = False
        for step in sorted(steps.values(), key=lambda s: removal_order(s.pointer), reverse=True):
            if step.replace:
                changed |= remove_at(document, step.pointer, {})
            else:
                changed |= remove_at(document, step.pointer)
        changed |= _clear_dangling_refs(document, diagnostics)
        if not changed:
            raise error
    if problems():
        raise error


def _object_kinds(document: dict[str, Any]) -> dict[str, Kind]:
    """The pointer of every OpenAPI object in ``document`` and what it is."""
    kinds: dict[str, Kind] = {}

    def visit(node: dict[str, Any], kind: Kind, pointer: str) -> bool:
        kinds[pointer] = kind
        return True

    walk(document, Kind.ROOT, "#", visit)
    return kinds


def _plan(pointer: str, kinds: dict[str, Kind], document: dict[str, Any]) -> _Step | None:
    """The repair for a problem at ``pointer``; ``None`` when it is the document's."""
    tokens = pointer_tokens(pointer)
    if not tokens:
        return None
    if tokens[0] in _ROOT_FIELDS:
        if tokens[0] == "info" and len(tokens) > 1 and tokens[1] not in _INFO_IDENTITY:
            return _Step(_join(tokens[:2]), False, f"info's {tokens[1]} is ignored")
        if len(tokens) == 1 or tokens[0] in ("openapi", "info", "jsonSchemaDialect"):
            return None
    # The innermost object that holds the failing place, and the field of it.
    depth = len(tokens)
    while depth > 0 and _join(tokens[:depth]) not in kinds:
        depth -= 1
    owner = _join(tokens[:depth])
    kind = kinds.get(owner, Kind.ROOT)
    field = tokens[depth] if depth < len(tokens) else None
    if kind is Kind.SCHEMA:
        if field is None:
            return _Step(owner, True, "the schema is typed as Any")
        return _Step(_join(tokens[: depth + 1]), False, f"the schema's {field!r} is ignored")
    if field is None or field in _IDENTITY.get(kind, ()):
        if kind in _DOCUMENT_LEVEL:
            return None
        return _Step(owner, False, f"the {_OBJECT_NAMES.get(kind, 'object')} is ignored")
    if kind is Kind.ROOT and field in ("servers", "tags", "security") and depth + 1 < len(tokens):
        return _Step(_join(tokens[: depth + 2]), False, f"the {field} entry is ignored")
    if kind in _DOCUMENT_LEVEL and field not in _PROSE and kind is not Kind.ROOT:
        return None
    if kind is Kind.PATH_ITEM and field in _METHODS:
        return _Step(_join(tokens[: depth + 1]), False, "the operation is ignored")
    what = "text" if field in _PROSE else "field"
    return _Step(_join(tokens[: depth + 1]), False, f"the {what} {field!r} is ignored")


def _clear_dangling_refs(document: dict[str, Any], diagnostics: Diagnostics) -> bool:
    """Degrade every local ``$ref`` whose target a repair removed; whether any was."""
    dangling: list[tuple[str, Kind]] = []

    def visit(node: dict[str, Any], kind: Kind, pointer: str) -> bool:
        ref = node.get("$ref")
        if not (isinstance(ref, str) and ref.startswith("#")):
            return True
        if resolve_pointer(document, pointer_tokens(ref)) is MISSING:
            dangling.append((pointer, kind))
            return False
        return True

    walk(document, Kind.ROOT, "#", visit)
    for pointer, kind in sorted(dangling, key=lambda entry: removal_order(entry[0]), reverse=True):
        node = resolve_pointer(document, pointer_tokens(pointer))
        ref = node.get("$ref")
        if kind is Kind.SCHEMA:
            del node["$ref"]
            diagnostics.warn(f"$ref {ref!r} names what was ignored; the schema is Any", pointer)
            continue
        name = _OBJECT_NAMES.get(kind, "object")
        diagnostics.warn(f"$ref {ref!r} names what was ignored; the {name} is ignored", pointer)
        remove_at(document, pointer)
    return bool(dangling)


def _join(tokens: list[str]) -> str:
    return join_pointer("#", *tokens)
