"""Which operations page, and how: RFC 8288 ``Link`` headers or ``x-forgegen-pagination``.

An operation gets ``iterate()`` (every item across pages) when

* a 2xx response declares a ``Link`` header and the body is a JSON array
  (GitHub's style: ``rel="next"`` links), or
* it carries ``x-forgegen-pagination`` -- or the document root does (or the
  user's ``[tool.forgegen.pagination]``, which replaces the root's, for specs
  one cannot edit), as the rule for every operation that has the named
  cursor/offset parameter and item list::

      x-forgegen-pagination:
        style: cursor            # cursor | offset | page | link
        cursor_param: starting_after
        cursor_item_field: id    # or next_cursor: /meta/next (a JSON pointer into the body)
        has_more: /has_more
        items: /data             # where the item array is (absent: the body is the array)

This runs after models are placed in modules: the item list is found by walking
the lowered models' fields, so the item type and attribute names are the ones
the generated code really has.  A malformed operation-level extension is a
warning naming its pointer, and the operation simply does not paginate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, cast

from ..diagnostics import Diagnostics, join_pointer
from ..ir import Model, Operation, Pagination, PaginationStyle, TypeAlias, TypeRef
from .document import as_map, pointer_tokens, resolve

__all__ = ["EXTENSION", "RULE_KEYS", "STYLES", "rule_problem", "with_pagination"]

EXTENSION = "x-forgegen-pagination"
STYLES: tuple[PaginationStyle, ...] = ("link", "cursor", "offset", "page")
_TEXT_FIELDS = (
    "cursor_param",
    "next_cursor",
    "cursor_item_field",
    "has_more",
    "offset_param",
    "limit_param",
    "items",
)
#: Every key a rule may have (``style`` plus the text fields).
RULE_KEYS = ("style", *_TEXT_FIELDS)


def with_pagination(
    operation: Operation,
    node: Mapping[str, Any],
    *,
    document: Mapping[str, Any],
    models: Mapping[str, Model],
    diagnostics: Diagnostics,
    aliases: Mapping[str, TypeAlias] | None = None,
    rule: Mapping[str, Any] | None = None,
) -> Operation:
    """``operation`` with its :class:`Pagination` when it pages (unchanged otherwise).

    ``aliases``: named array schemas (``PetList = list[Pet]``) page like inline ones.
    ``rule``: the user's document-wide rule; it replaces the document's own.
    """
    named = aliases or {}
    own = node.get(EXTENSION)
    found: Pagination | None = None
    if own is not None:
        pointer = join_pointer(operation.pointer, EXTENSION)
        found = _declared(operation, own, pointer, (models, named), diagnostics, strict=True)
    else:
        if rule is None and EXTENSION in document:
            rule = document[EXTENSION]
        if rule is not None:  # a document-wide rule, for the operations it fits
            pointer = join_pointer("#", EXTENSION)
            found = _declared(operation, rule, pointer, (models, named), diagnostics, strict=False)
        if found is None:
            found = _link_headers(operation, node, document, named)
    return operation if found is None else replace(operation, pagination=found)


def _link_headers(
    operation: Operation,
    node: Mapping[str, Any],
    document: Mapping[str, Any],
    aliases: Mapping[str, TypeAlias],
) -> Pagination | None:
    base = join_pointer(operation.pointer, "responses")
    for status, entry in as_map(node.get("responses")).items():
        if not str(status).startswith("2"):
            continue
        response, _ = resolve(document, as_map(entry), join_pointer(base, str(status)))
        if any(str(name).lower() == "link" for name in as_map(response.get("headers"))):
            item = _list_item(operation.success_type, aliases)
            if item is not None and not _strip_none(operation.success_type.annotation)[1]:
                return Pagination(style="link", item_type=item)
    return None


def rule_problem(declaration: object) -> str | None:
    """Why a declaration cannot be used whatever the operation (``None``: it can).

    Shared by the spec's extension (a warning) and ``[tool.forgegen.pagination]``
    (a usage error, checked before generating).
    """
    if not isinstance(declaration, Mapping):
        return "must be a mapping"
    if declaration.get("style") not in STYLES:
        return f"style must be one of {', '.join(STYLES)}"
    for name in _TEXT_FIELDS:
        value = declaration.get(name)
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string"
    return None


def _declared(
    operation: Operation,
    declaration: object,
    pointer: str,
    named: tuple[Mapping[str, Model], Mapping[str, TypeAlias]],
    diagnostics: Diagnostics,
    *,
    strict: bool,
) -> Pagination | None:
    """The declared pagination; ``strict``: the declaration is the operation's own (warn)."""
    models, aliases = named

    def reject(message: str) -> None:
        if strict:
            diagnostics.warn(f"{EXTENSION}: {message}; the operation does not paginate", pointer)

    problem = rule_problem(declaration)
    if problem is not None:
        reject(problem)
        return None
    rule = cast("Mapping[str, Any]", declaration)  # rule_problem checked its shape
    style: PaginationStyle = rule["style"]
    text: dict[str, str | None] = {name: rule.get(name) for name in _TEXT_FIELDS}
    query = {p.wire_name for p in operation.parameters if p.location == "query"}
    needed = {"cursor": "cursor_param", "offset": "offset_param", "page": "offset_param"}.get(style)
    if needed is not None:
        parameter = text[needed]
        if not parameter:
            reject(f"style {style} needs {needed}")
            return None
        if parameter not in query:
            reject(f"{needed} {parameter!r} is not a query parameter of the operation")
            return None
    if style == "cursor" and not (text["next_cursor"] or text["cursor_item_field"]):
        reject("style cursor needs next_cursor or cursor_item_field")
        return None
    walked = _walk_items(operation.success_type, text["items"] or "", models, aliases)
    if walked is None:
        reject(f"items {text['items'] or '(the body)'!r} does not lead to a list in the response")
        return None
    item, path, nullable = walked
    return Pagination(
        style=style,
        item_type=item,
        items_path=path,
        items_nullable=nullable,
        cursor_param=text["cursor_param"],
        next_cursor=text["next_cursor"],
        cursor_item_field=text["cursor_item_field"],
        has_more=text["has_more"],
        offset_param=text["offset_param"],
        limit_param=text["limit_param"],
    )


def _walk_items(
    body: TypeRef,
    items_pointer: str,
    models: Mapping[str, Model],
    aliases: Mapping[str, TypeAlias],
) -> tuple[TypeRef, tuple[tuple[str, bool], ...], bool] | None:
    """(item type, attribute path, list may be None) for the list at ``items_pointer``."""
    current = body
    path: list[tuple[str, bool]] = []
    relative = items_pointer.removeprefix("#")
    tokens = pointer_tokens(f"#{relative}") if relative.strip("/") else []
    for token in tokens:
        name, may_be_none = _strip_none(current.annotation)
        model = models.get(name)
        if model is None or (may_be_none and not path):
            return None  # the body itself may be null or is not a model: nothing to walk
        field = next((f for f in model.fields if f.wire_name == token), None)
        if field is None:
            return None
        path.append((field.python_name, _strip_none(field.type.annotation)[1]))
        current = field.type
    item = _list_item(current, aliases)
    if item is None:
        return None
    return item, tuple(path), _strip_none(current.annotation)[1]


def _strip_none(annotation: str) -> tuple[str, bool]:
    if annotation.endswith(" | None"):
        return annotation[: -len(" | None")], True
    return annotation, False


def _list_item(list_type: TypeRef, aliases: Mapping[str, TypeAlias]) -> TypeRef | None:
    """``list[X]`` (optionally ``| None``) -> ``X`` with the list's imports; else ``None``."""
    annotation, _ = _strip_none(list_type.annotation)
    alias = aliases.get(annotation)
    if alias is not None:
        list_type = alias.target
        annotation, _ = _strip_none(list_type.annotation)
    if not (annotation.startswith("list[") and annotation.endswith("]")):
        return None
    inner = annotation[len("list[") : -1]
    depth = 0
    for char in inner:  # "list[A] | list[B]" is not one list
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth < 0:
            return None
    if depth != 0 or not inner:
        return None
    return TypeRef(annotation=inner, imports=list_type.imports, models=list_type.models)
