"""Resource limits: how big a spec may be before generation refuses it.

A spec is untrusted input, and the cost of generating from it grows with a few
counts, not with its size on disk: YAML aliases and $refs to path items
let a 50 kB file stand for millions of schema nodes, each of which ``lower``,
``render`` and ``format`` pay for.  So each such count has a limit, checked
before the stage that would pay for it, and exceeding one is a
:class:`~forgegen.diagnostics.SpecError` that names the limit, its value and
the option that raises it -- never minutes of work or gigabytes of memory.

The defaults leave at least 3x headroom over the largest real specs measured
(Stripe: 4.2 MB, 80,366 nodes, 417 operations, 594 values in its largest enum;
GitHub: 3.6 MB, 71,518 nodes, 771 operations) and keep the worst input of each
shape measured under 60 s and 1 GB of memory on two cores.  Someone with a
truly huge spec raises them: ``--max-nodes`` and friends, or ``Limits(...)``
passed to :func:`~forgegen.pipeline.generate`.

Who checks what:

* :mod:`forgegen.loader`: file size before reading; node count while reading
  (YAML is counted event by event before libyaml composes it, aliases are
  counted expanded);
* :func:`check_document`, on the bundled document before ``normalize``: the
  expanded node count again ($refs to other files copy their targets in,
  and a path item ``$ref`` is lowered once per path), the operation count and
  the size of every enum.

The loader reads the limits in effect through :func:`current_limits`, because
the resolver and the Swagger 2.0 bundler load referenced files through it too,
and a raised limit must reach those files without every stage passing it on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .diagnostics import SpecError, pointer_tokens

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "check_document",
    "count_nodes",
    "current_limits",
    "limits_in_effect",
    "option_name",
]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_MEMBER_KEYS = frozenset({"properties", "parameters", "anyOf", "oneOf", "allOf"})


@dataclass(frozen=True)
class Limits:
    """The most a spec may contain; each field is also a ``--max-...`` option (its ``help``).

    A node is one value of the document -- a mapping, a list or a scalar
    (keys are not counted) -- counted as often as YAML aliases and path item
    $refs repeat it.
    """

    max_file_bytes: int = field(
        default=16 * 1024 * 1024,
        metadata={"help": "Bytes of one spec file (the main one or one a $ref reaches)."},
    )
    max_nodes: int = field(
        default=300_000,
        metadata={"help": "Nodes of the document, YAML aliases and path item $refs expanded."},
    )
    max_operations: int = field(
        default=10_000, metadata={"help": "Operations (methods of path items) in the document."}
    )
    max_enum_values: int = field(default=50_000, metadata={"help": "Values of one enum."})
    max_members: int = field(
        default=2_000,
        metadata={
            "help": "Properties, parameters or anyOf/oneOf/allOf entries of one schema or "
            "operation (each becomes one class, signature or annotation)."
        },
    )

    def __post_init__(self) -> None:
        for limit in fields(self):
            value = getattr(self, limit.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{option_name(limit.name)} must be a positive integer")

    def overridden(self, **values: int | None) -> Limits:
        """These limits with the given fields replaced; ``None`` keeps a field as it is."""
        return replace(self, **{name: value for name, value in values.items() if value is not None})

    def refusal(self, name: str, what: str) -> str:
        """The message for exceeding limit ``name``: ``what`` happened, and how to allow it."""
        option = option_name(name)
        return f"{what} (limit {option}={getattr(self, name)}; raise it with {option}=N)"


DEFAULT_LIMITS = Limits()

_IN_EFFECT: ContextVar[Limits] = ContextVar("forgegen_limits", default=DEFAULT_LIMITS)


def option_name(field_name: str) -> str:
    """``max_nodes`` -> ``--max-nodes``: the command-line option that sets a limit."""
    return "--" + field_name.replace("_", "-")


def current_limits() -> Limits:
    """The limits in effect (:data:`DEFAULT_LIMITS` outside :func:`limits_in_effect`)."""
    return _IN_EFFECT.get()


@contextmanager
def limits_in_effect(limits: Limits | None) -> Iterator[Limits]:
    """Make ``limits`` (``None``: the defaults) the ones in effect inside the block."""
    token = _IN_EFFECT.set(limits if limits is not None else DEFAULT_LIMITS)
    try:
        yield _IN_EFFECT.get()
    finally:
        _IN_EFFECT.reset(token)


def count_nodes(data: Any, stop: int) -> int:
    """Nodes of ``data`` counted expanded (a shared subtree once per use), at most ``stop + 1``.

    The walk ends as soon as the count passes ``stop``, so it costs at most
    ``stop`` steps whatever aliases multiply (a document that contains itself
    included).
    """
    count = 1
    stack = [data] if isinstance(data, dict | list) else []
    while stack:
        node = stack.pop()
        children = node.values() if type(node) is dict else node
        count += len(children)
        if count > stop:
            return stop + 1
        stack.extend(child for child in children if isinstance(child, dict | list))
    return count


def check_document(
    document: dict[str, Any],
    limits: Limits,
    locate: Callable[[str], tuple[str | None, int | None]],
) -> None:
    """Refuse a bundled document past ``limits``: operations, nodes, enum and member counts.

    A path item that is a ``$ref`` is counted once per path, as ``lower``
    lowers it.  ``locate`` turns a pointer into ``(file, line)`` for the error.
    One walk, stopped early: at most ``max_nodes`` steps.
    """
    roots: list[Any] = [document]
    operations = 0
    paths = document.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        targets = _path_item_targets(document, item)
        roots.extend(targets)
        resolved = targets[-1] if targets else item
        if isinstance(resolved, dict):
            operations += sum(1 for method in _METHODS if method in resolved)
    if operations > limits.max_operations:
        what = f"the document has {operations:,} operations, more than {limits.max_operations:,}"
        raise _located(limits.refusal("max_operations", what), "#/paths", locate)
    components = document.get("components")
    # ``components/parameters`` is a collection, not the parameters of one operation.
    collections = {id(v) for v in components.values()} if isinstance(components, dict) else set()
    found = _first_excess(roots, limits, collections)
    if found is None:
        return
    name, key, container = found
    if name == "max_nodes":
        what = (
            f"the document has more than {limits.max_nodes:,} nodes, counting what "
            "$refs to other files and to path items bring in"
        )
        file, _ = locate("#")
        raise SpecError(limits.refusal(name, what), file=file)
    entries = {"enum": "values", "properties": "properties", "parameters": "parameters"}
    what = (
        f"lists {len(container):,} {entries.get(key, key + ' entries')}, "
        f"more than {getattr(limits, name):,}"
    )
    raise _located(limits.refusal(name, what), _pointer_to(document, container), locate)


def _first_excess(
    roots: list[Any], limits: Limits, collections: set[int]
) -> tuple[str, str, Any] | None:
    """The first limit ``roots`` exceed: ``(limit, key, container)``; ``None`` when none.

    The hot loop of :func:`check_document` (~15 ms for GitHub's 71,518 nodes).
    """
    max_nodes, max_enum, max_members = limits.max_nodes, limits.max_enum_values, limits.max_members
    count = 1
    stack = list(roots)
    while stack:
        node = stack.pop()
        count += len(node)
        if count > max_nodes:
            return "max_nodes", "", None
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, dict | list):
                    if len(child) > max_members and key in _MEMBER_KEYS:
                        if id(child) not in collections:
                            return "max_members", key, child
                    elif key == "enum" and len(child) > max_enum and isinstance(child, list):
                        return "max_enum_values", key, child
                    stack.append(child)
        else:
            stack.extend(child for child in node if isinstance(child, dict | list))
    return None


def _located(
    message: str, pointer: str, locate: Callable[[str], tuple[str | None, int | None]]
) -> SpecError:
    file, line = locate(pointer)
    return SpecError(message, pointer=pointer, file=file, line=line)


def _path_item_targets(document: dict[str, Any], item: Any) -> list[dict[str, Any]]:
    """What a ``#/paths`` entry refers to, following local $refs (``[]``: not a ref)."""
    targets: list[dict[str, Any]] = []
    seen = {id(item)}
    while isinstance(item, dict):
        ref = item.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        item = _target(document, ref)
        if not isinstance(item, dict) or id(item) in seen:
            break
        seen.add(id(item))
        targets.append(item)
    return targets


def _target(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for token in pointer_tokens(ref):
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _pointer_to(document: dict[str, Any], wanted: object) -> str:
    """The JSON pointer of the first place ``wanted`` (an object, by identity) sits in ``document``.

    Only run for an error, so the happy path's walk carries no pointers.
    """
    stack: list[tuple[Any, str]] = [(document, "#")]
    seen: set[int] = set()
    while stack:
        node, pointer = stack.pop()
        if node is wanted:
            return pointer
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            if isinstance(child, dict | list):
                token = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((child, f"{pointer}/{token}"))
    return ""
