"""OpenAPI Overlays: repeatable edits to a spec someone else publishes.

A team generating from a vendor's document cannot fix the document, and a
hand-edited copy is lost at the next release.  An Overlay (OpenAPI Overlay
Specification 1.0) keeps the fixes beside it instead: an ordered list of
actions, each a JSONPath ``target`` (RFC 9535) and either ``update`` (merged
into every node the target selects) or ``remove: true`` (every selected node
is deleted).  forgegen applies the overlays to the entry document as loaded,
before anything else reads it, so the document's own version, refs and schemas
can all be repaired.

JSONPath is evaluated by ``jsonpath-rfc9535``, a maintained implementation of
exactly that RFC: overlay targets written for other tools (Speakeasy, Bump,
libopenapi) mean the same here.

What ``update`` does, by what the target selects:

- an object: the update's keys are merged in, recursively for keys whose old
  and new values are both objects; other values replace the old ones;
- an array: the update is appended (a list update appends each of its items);
- anything else (a string, a number): it is replaced by the update, which is
  what an author writing ``$.info.title`` means.

An overlay is the user's own input, so a malformed one is an error naming the
overlay file and the action (``/actions/3``); a target that selects nothing is
a warning, since the vendor may have fixed the defect the action repaired.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import jsonpath_rfc9535
from jsonpath_rfc9535 import JSONPathError

from .diagnostics import Diagnostics, SpecError
from .loader import LoadedDocument, load_document

__all__ = ["Overlay", "apply_overlays", "combined_sha256", "load_overlay"]

_VERSION = re.compile(r"^1\.0\.\d+$")


@dataclass(frozen=True)
class Action:
    """One overlay action, checked: ``update`` is ``None`` when it removes."""

    index: int
    target: jsonpath_rfc9535.JSONPathQuery
    target_text: str
    update: Any
    remove: bool


@dataclass(frozen=True)
class Overlay:
    """An overlay file, its actions checked and compiled."""

    name: str
    sha256: str
    actions: tuple[Action, ...]
    source: LoadedDocument

    def error(self, message: str, pointer: str) -> SpecError:
        """An error at ``pointer`` in this overlay file, with its line."""
        return SpecError(
            message, pointer=pointer, file=self.name, line=self.source.line_of(pointer)
        )


def load_overlay(path: str | os.PathLike[str]) -> Overlay:
    """Read and check the overlay at ``path`` (compiling every target)."""
    source = load_document(path)
    data = source.data

    def fail(message: str, pointer: str = "") -> SpecError:
        return SpecError(
            message,
            pointer=pointer,
            file=source.name,
            line=source.line_of(pointer) if pointer else None,
        )

    if not isinstance(data, Mapping):
        raise fail("not an Overlay document: the top level is not a mapping")
    version = data.get("overlay")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise fail(
            f"not an Overlay 1.0 document: 'overlay' is {version!r}, expected '1.0.x'",
            "#/overlay" if "overlay" in data else "",
        )
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        raise fail("'actions' must be a non-empty list", "#/actions" if "actions" in data else "")
    compiled = tuple(
        _action(index, raw, fail, f"#/actions/{index}") for index, raw in enumerate(actions)
    )
    return Overlay(name=source.name, sha256=source.sha256, actions=compiled, source=source)


def _action(index: int, raw: object, fail: Callable[[str, str], SpecError], pointer: str) -> Action:
    """Action ``index`` checked and its target compiled; ``fail`` builds the error."""
    if not isinstance(raw, Mapping):
        raise fail(f"overlay action {index} is not a mapping", pointer)
    target = raw.get("target")
    if not isinstance(target, str) or not target.startswith("$"):
        raise fail(
            f"overlay action {index}: 'target' must be a JSONPath starting with '$'", pointer
        )
    try:
        query = jsonpath_rfc9535.compile(target)
    except JSONPathError as error:
        raise fail(
            f"overlay action {index}: invalid JSONPath {target!r}: {error}", pointer
        ) from None
    remove = raw.get("remove", False)
    if not isinstance(remove, bool):
        raise fail(f"overlay action {index}: 'remove' must be true or false", pointer)
    if not remove and "update" not in raw:
        raise fail(f"overlay action {index} has neither 'update' nor 'remove: true'", pointer)
    return Action(index, query, target, None if remove else raw["update"], remove)


def apply_overlays(document: Any, overlays: Sequence[Overlay], diagnostics: Diagnostics) -> Any:
    """``document`` with each overlay's actions applied in order (changed in place)."""
    for overlay in overlays:
        for action in overlay.actions:
            document = _apply(document, overlay, action, diagnostics)
    return document


def _apply(document: Any, overlay: Overlay, action: Action, diagnostics: Diagnostics) -> Any:
    nodes = list(action.target.finditer(document))
    pointer = f"#/actions/{action.index}"
    if not nodes:
        diagnostics.warn(
            f"overlay action {action.index}: target {action.target_text!r} selects nothing;"
            " the action did nothing",
            pointer,
            file=overlay.name,
        )
        return document
    if action.remove:
        if any(not node.location for node in nodes):
            raise overlay.error(
                f"overlay action {action.index} removes the whole document", pointer
            )
        # Deepest and last first, so that removing one node leaves the
        # locations of the others (array indexes) as they were.
        for node in sorted(nodes, key=lambda n: n.location, reverse=True):
            parent = _parent(document, node.location)
            del parent[node.location[-1]]
        return document
    for node in nodes:
        update = copy.deepcopy(action.update)
        if isinstance(node.value, MutableMapping) and isinstance(update, Mapping):
            _merge(node.value, update)
        elif isinstance(node.value, list):
            node.value.extend(update if isinstance(update, list) else [update])
        elif not node.location:
            document = update
        else:
            _parent(document, node.location)[node.location[-1]] = update
    return document


def _parent(document: Any, location: tuple[str | int, ...]) -> Any:
    parent = document
    for key in location[:-1]:
        parent = parent[key]
    return parent


def _merge(target: MutableMapping[str, Any], update: Mapping[str, Any]) -> None:
    for key, value in update.items():
        old = target.get(key)
        if isinstance(old, MutableMapping) and isinstance(value, Mapping):
            _merge(old, value)
        else:
            target[key] = value


def combined_sha256(spec_sha256: str, overlays: Sequence[Overlay]) -> str:
    """The spec's digest, or one over the spec's and every overlay's when there are overlays.

    What the client was generated from is the spec *and* its overlays, so a
    changed overlay must change the recorded digest like a changed spec does.
    """
    if not overlays:
        return spec_sha256
    digest = hashlib.sha256(spec_sha256.encode())
    for overlay in overlays:
        digest.update(b"\0" + overlay.sha256.encode())
    return digest.hexdigest()
