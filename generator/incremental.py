"""Regeneration that redoes only what an edit touched.

After a generation the cache keeps a *snapshot* per output directory
(``<cache>/incremental/<hash of output directory and package>.pickle``):

* the **lowering**: the IR pickled, the pointers of all the spec prose in it
  (:mod:`forgegen.prose`), that prose's text, lower's warnings, and the sha256
  of the *structure* -- the normalised document with those prose places set to
  ``None``.  When the next document has the same structure, ``lower`` would
  make the same IR but for that prose, so the IR is unpickled with each prose
  text taken from the new document instead of lowered again (a docs-only edit
  regenerates GitHub's API without running ``lower``);
* the **render memo** (:mod:`forgegen.render_memo`): formatted text by the key
  of each model and operation module's IR, so only files whose IR changed are
  rendered and formatted.

A snapshot is checked, never trusted: its fingerprint covers this generator's
code, templates, black and Python; the lowering is used only when package name,
pagination rule and structure hash agree; render keys are content hashes.  A
missing, stale, corrupt or foreign snapshot costs only time.  Loading builds
nothing but :mod:`forgegen.ir` objects (see :class:`~forgegen.prose.ProseUnpickler`),
so a tampered cache cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .diagnostics import Diagnostic, join_pointer, pointer_tokens
from .formatting import FORMATTER_REVISION, MODE_DESCRIPTION, black_version
from .ir import Api
from .prose import Prose, ProseCollector, ProseUnpickler

__all__ = ["IncrementalStats", "Lowering", "Snapshot", "SnapshotStore", "structure_digest"]

#: Bump when the snapshot's layout changes.
SNAPSHOT_FORMAT = 1

#: What a corrupt or tampered cache file can raise while it is unpickled.
_UNREADABLE = (
    pickle.UnpicklingError,
    EOFError,
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    MemoryError,
)


@cache
def generator_fingerprint() -> str:
    """sha256 of everything that shapes output besides the spec: code, templates, black, Python."""
    digest = hashlib.sha256()
    for part in (
        f"snapshot-{SNAPSHOT_FORMAT}",
        __version__,
        f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}",
        black_version(),
        MODE_DESCRIPTION,
        FORMATTER_REVISION,
    ):
        digest.update(part.encode())
        digest.update(b"\0")
    for root in (resources.files("forgegen"), resources.files("forgegen.templates")):
        for name, data in sorted(_source_files(root)):
            digest.update(name.encode())
            digest.update(b"\0")
            digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _source_files(root: Any, prefix: str = "") -> Iterator[tuple[str, bytes]]:
    for entry in root.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _source_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith((".py", ".jinja")):
            yield prefix + entry.name, entry.read_bytes()


def _child(node: object, token: str) -> object:
    """``node``'s member named by one pointer token; ``None`` when there is none."""
    if isinstance(node, dict):
        return node.get(token)
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return None


def _place(document: object, pointer: str) -> tuple[dict[str, Any], str] | None:
    """The dict holding ``pointer``'s value in ``document`` and its key, or ``None``."""
    tokens = pointer_tokens(pointer)
    if not tokens:
        return None
    node = document
    for token in tokens[:-1]:
        node = _child(node, token)
    if not isinstance(node, dict) or tokens[-1] not in node:
        return None
    return node, tokens[-1]


def _ancestors(document: object, pointer: str) -> list[tuple[object, str]]:
    """The nodes on ``pointer``'s way that exist in ``document``, root first, with pointers."""
    found: list[tuple[object, str]] = [(document, "#")]
    for token in pointer_tokens(pointer)[:-1]:
        node, here = found[-1]
        child = _child(node, token)
        if child is None:
            break
        found.append((child, join_pointer(here, token)))
    return found


def _find(node: object, pointer: str, wanted: object) -> str | None:
    """The pointer of the dict value that is ``wanted`` (by identity) under ``node``."""
    pending: list[tuple[object, str]] = [(node, pointer)]
    while pending:
        current, here = pending.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if value is wanted:
                    return join_pointer(here, key)
                if isinstance(value, (dict, list)):
                    pending.append((value, join_pointer(here, key)))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, (dict, list)):
                    pending.append((value, join_pointer(here, index)))
    return None


def _true_pointer(document: object, text: Prose) -> str | None:
    """Where ``text`` really was read: ``lower`` names some places by the spec's own
    layout (a 3.0 ``nullable`` schema), which normalising moved under ``anyOf``."""
    place = _place(document, text.pointer)
    if place is not None and place[0][place[1]] is text.source:
        return text.pointer
    for node, pointer in reversed(_ancestors(document, text.pointer)):
        if isinstance(node, (dict, list)):
            found = _find(node, pointer, text.source)
            if found is not None:
                return found
    return None


def structure_digest(
    document: dict[str, Any], pointers: Sequence[str]
) -> tuple[str, list[str]] | None:
    """(sha256 of ``document`` with the string at each pointer set to ``None``, those strings).

    ``None`` when a pointer does not lead to a string (the structure changed) or
    the document holds something ``marshal`` cannot write.  The document is
    restored before returning.
    """
    blanked: list[tuple[dict[str, Any], str, str]] = []
    try:
        for pointer in pointers:
            place = _place(document, pointer)
            if place is None:
                return None
            parent, key = place
            value = parent[key]
            if not isinstance(value, str):
                return None
            blanked.append((parent, key, value))
            parent[key] = None
        try:
            # version 2: no back-references, so equal documents give equal bytes
            data = marshal.dumps(document, 2)
        except ValueError:
            return None
        return hashlib.sha256(data).hexdigest(), [value for _, _, value in blanked]
    finally:
        for parent, key, value in reversed(blanked):
            parent[key] = value


def lowering_key(package_name: str, pagination: Mapping[str, Any] | None) -> str:
    """What ``lower`` reads besides the document."""
    return json.dumps([package_name, pagination], sort_keys=True)


@dataclass(frozen=True)
class Lowering:
    """A lowered IR and what it was lowered from (see the module docstring)."""

    key: str
    structure: str
    pointers: tuple[str, ...]
    texts: tuple[str, ...]
    api: bytes
    warnings: tuple[tuple[str, str, str | None], ...]

    @classmethod
    def record(
        cls,
        api: Api,
        document: dict[str, Any],
        key: str,
        warnings: Sequence[Diagnostic],
    ) -> Lowering | None:
        """The lowering of ``document`` into ``api``; ``None`` when it cannot be reused safely.

        Every prose pointer must hold the very string the IR got (a pointer that
        ``lower`` mislabelled would take the wrong text on reuse).
        """
        with ProseCollector() as found:
            data = pickle.dumps(api, protocol=5)
        by_pointer: dict[str, str] = {}
        relabelled = False
        for text in found:
            pointer = _true_pointer(document, text)
            if pointer is None:
                return None
            if pointer != text.pointer:
                text.pointer, relabelled = pointer, True
            by_pointer[pointer] = text.source
        if relabelled:
            data = pickle.dumps(api, protocol=5)
        pointers = tuple(sorted(by_pointer))
        digest = structure_digest(document, pointers)
        if digest is None:
            return None
        return cls(
            key=key,
            structure=digest[0],
            pointers=pointers,
            texts=tuple(digest[1]),
            api=data,
            warnings=tuple((w.message, w.pointer, w.file) for w in warnings),
        )

    def reuse(self, document: dict[str, Any], key: str) -> tuple[Api, int] | None:
        """The IR of ``document`` and how many prose texts changed, or ``None`` (lower it)."""
        if key != self.key:
            return None
        digest = structure_digest(document, self.pointers)
        if digest is None or digest[0] != self.structure:
            return None
        changed = {
            pointer: new
            for pointer, old, new in zip(self.pointers, self.texts, digest[1], strict=True)
            if new != old
        }
        try:
            api = ProseUnpickler(self.api, changed).load()
        except _UNREADABLE:
            return None
        if not isinstance(api, Api):
            return None
        return api, len(changed)

    def diagnostics(self) -> list[Diagnostic]:
        return [Diagnostic(message, pointer, file) for message, pointer, file in self.warnings]


@dataclass
class Snapshot:
    """What one generation leaves for the next (see the module docstring)."""

    lowering: Lowering | None = None
    units: dict[str, str] = field(default_factory=dict)


@dataclass
class IncrementalStats:
    """What a generation reused (for progress output and tests)."""

    lowering: str = "lowered"  # "lowered", or "reused (<n> prose changes)"
    units_reused: int = 0
    units_rendered: int = 0


class SnapshotStore:
    """The snapshot file of one output directory."""

    def __init__(self, cache_root: Path, out_dir: Path | str, package_name: str) -> None:
        identity = f"{os.path.abspath(out_dir)}\0{package_name}".encode()
        self.path = (
            cache_root / "incremental" / f"{hashlib.sha256(identity).hexdigest()[:32]}.pickle"
        )

    def load(self) -> Snapshot:
        """The last snapshot when it is readable and this generator made it; else an empty one."""
        try:
            data = self.path.read_bytes()
            loaded = ProseUnpickler(data).load()
        except (OSError, *_UNREADABLE):
            return Snapshot()
        if (
            not isinstance(loaded, dict)
            or loaded.get("fingerprint") != generator_fingerprint()
            or not isinstance(loaded.get("units"), dict)
        ):
            return Snapshot()
        lowering = loaded.get("lowering")
        try:
            record = Lowering(**lowering) if isinstance(lowering, dict) else None
        except TypeError:
            record = None
        return Snapshot(lowering=record, units=loaded["units"])

    def save(self, snapshot: Snapshot) -> None:
        """Write atomically; a cache that cannot be written only costs time."""
        lowering = snapshot.lowering
        payload = {
            "fingerprint": generator_fingerprint(),
            "lowering": None if lowering is None else lowering.__dict__,
            "units": snapshot.units,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    pickle.dump(payload, stream, protocol=5)
                os.replace(temporary, self.path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
