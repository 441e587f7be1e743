"""Regeneration that redoes only what an edit touched.

After a generation the cache keeps a *snapshot* per output directory
(``<cache>/incremental/<hash of output directory and package>.snapshot``):

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

The memo's texts go into the generated package as they are, so a snapshot is
authenticated before anything in it is used: the file is sealed with the user's
key (:mod:`forgegen.cache_seal`) for its own name, so a snapshot someone else
wrote, or one moved from another output directory's place, is ignored.  Then it
is checked: its fingerprint covers this generator's code, templates, black and
Python; the lowering is used only when package name, pagination rule and
structure hash agree; render keys are content hashes.  A missing, stale,
corrupt or foreign snapshot costs only time.

The container is data, not a pickle: one line of JSON (fingerprint, the
lowering's metadata, the memo's keys and byte lengths) followed by the pickled
IR and the memo's texts as raw UTF-8.  Only the IR is a pickle, and loading it
builds nothing but :mod:`forgegen.ir` objects
(:class:`~forgegen.prose.ProseUnpickler`) -- a second wall behind the seal.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import pickle
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .cache_seal import CacheSeal, current_seal
from .diagnostics import Diagnostic, join_pointer, pointer_tokens
from .formatting import FORMATTER_REVISION, MODE_DESCRIPTION, black_version
from .ir import Api
from .prose import Prose, ProseCollector, ProseUnpickler

__all__ = ["IncrementalStats", "Lowering", "Snapshot", "SnapshotStore", "structure_digest"]

#: Bump when the snapshot's layout changes.
SNAPSHOT_FORMAT = 2

#: What a pickled IR can raise while it is unpickled: the snapshot is sealed, but
#: a forgegen bug must cost a lowering, not a crash.
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
    """The snapshot file of one output directory, sealed with ``seal``.

    ``seal`` defaults to :func:`~forgegen.cache_seal.current_seal`; with no
    usable key nothing is loaded or saved.
    """

    KIND = "snapshot"

    def __init__(
        self,
        cache_root: Path,
        out_dir: Path | str,
        package_name: str,
        seal: CacheSeal | None = None,
    ) -> None:
        identity = f"{os.path.abspath(out_dir)}\0{package_name}".encode()
        name = f"{hashlib.sha256(identity).hexdigest()[:32]}.snapshot"
        self.path = cache_root / "incremental" / name
        self.seal = seal if seal is not None else current_seal()
        self._loaded: Snapshot | None = None

    def load(self) -> Snapshot:
        """The last snapshot when this user's forgegen sealed it here and this generator
        made it; else an empty one."""
        if self.seal is None:
            return Snapshot()
        data = self.seal.read(self.KIND, self.path.name, self.path, where=self.path.parent)
        if data is None:
            return Snapshot()
        try:
            self._loaded = _decode(data)
        except (ValueError, TypeError, KeyError, UnicodeDecodeError):
            return Snapshot()
        return self._loaded

    def save(self, snapshot: Snapshot) -> None:
        """Write atomically, unless it is what :meth:`load` read (an unchanged spec: encoding
        and sealing megabytes again would only cost time); a cache that cannot be written
        only costs time too."""
        loaded = self._loaded
        if (
            loaded is not None
            and snapshot.lowering is loaded.lowering
            and snapshot.units == loaded.units
        ):
            return
        if self.seal is not None:
            self.seal.write(self.KIND, self.path.name, self.path, _encode(snapshot))


def _encode(snapshot: Snapshot) -> bytes:
    """One JSON line, then the pickled IR, then the memo's texts (see the module docstring)."""
    texts = [text.encode("utf-8", "surrogatepass") for text in snapshot.units.values()]
    lowering = snapshot.lowering
    header = {
        "fingerprint": generator_fingerprint(),
        "lowering": (
            None
            if lowering is None
            else {
                "key": lowering.key,
                "structure": lowering.structure,
                "pointers": lowering.pointers,
                "texts": lowering.texts,
                "warnings": lowering.warnings,
                "api": len(lowering.api),
            }
        ),
        "units": [[key, len(text)] for key, text in zip(snapshot.units, texts, strict=True)],
    }
    # ensure_ascii: the header cannot contain a raw newline, which ends it.
    line = json.dumps(header, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return b"".join([line, b"\n", lowering.api if lowering is not None else b"", *texts])


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("expected a list of strings")
    return tuple(value)


def _warning(value: object) -> tuple[str, str, str | None]:
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and (value[2] is None or isinstance(value[2], str))
    ):
        return value[0], value[1], value[2]
    raise TypeError("expected a warning")


def _decode(data: bytes) -> Snapshot:
    """The snapshot in ``data`` (from :func:`_encode`); an empty one when another generator
    made it.  Raises ``ValueError``/``TypeError``/``KeyError`` on a malformed layout."""
    end = data.index(b"\n")
    header = json.loads(data[:end])
    if not isinstance(header, dict) or header.get("fingerprint") != generator_fingerprint():
        return Snapshot()
    view = memoryview(data)
    offset = end + 1
    lowering: Lowering | None = None
    meta = header["lowering"]
    if meta is not None:
        size = meta["api"]
        if not isinstance(size, int) or size < 0:
            raise TypeError("expected a size")
        if not isinstance(meta["key"], str) or not isinstance(meta["structure"], str):
            raise TypeError("expected strings")
        pointers, texts = _strings(meta["pointers"]), _strings(meta["texts"])
        if len(pointers) != len(texts):
            raise ValueError("a prose text for each pointer")
        lowering = Lowering(
            key=meta["key"],
            structure=meta["structure"],
            pointers=pointers,
            texts=texts,
            api=bytes(view[offset : offset + size]),
            warnings=tuple(_warning(item) for item in meta["warnings"]),
        )
        offset += size
    units: dict[str, str] = {}
    for key, size in header["units"]:
        if not isinstance(key, str) or not isinstance(size, int) or size < 0:
            raise TypeError("expected a unit")
        units[key] = str(view[offset : offset + size], "utf-8", "surrogatepass")
        offset += size
    if offset != len(data):
        raise ValueError("the snapshot's sizes do not add up")
    return Snapshot(lowering=lowering, units=units)
