"""Bundle a multi-file spec into one document whose ``$ref``s are all local.

``lower`` should never open a file or follow a URL, so this stage makes every
reference a ``#/...`` pointer into one document:

* **Local refs** (``#/components/schemas/Pet``) stay as they are -- written in
  canonical form (percent-decoding undone, ``~0``/``~1`` escaping kept) -- and
  their target must exist.  Cycles are legal: a recursive schema is a ref to
  an ancestor, and nothing here follows refs transitively.
* **Relative-file refs** (``pet.yaml``, ``./schemas/pet.json#/Pet``,
  ``common.yaml#/components/schemas/Error``) are loaded -- relative to the file
  that contains the ref, so nested directories work -- and the target is
  copied into the main document's ``components`` under the section for the
  *kind of place that referenced it* (a ref in a schema position goes to
  ``schemas``, in a parameter list to ``parameters``, ... see
  :data:`~forgegen.structure.REFERABLE`).  Refs inside the copy are bundled the
  same way, relative to *their* file.  A target referenced twice is copied
  once; a ref back into the main file becomes a local ref.
* **Path items** referenced from another file are inlined (a ``$ref`` under
  ``paths`` only splits files; it names nothing), with a guard against a path
  item that contains itself.  So are **operations** (``get: {$ref: list.yml}``):
  OpenAPI has no Reference Object there, but split specs laid out for Redocly
  (DigitalOcean's, one operation a file) write them, and every bundler inlines
  them; a local one (``#/...``) is inlined too.
* A schema's ``properties`` written as one ``$ref`` (``properties: {$ref:
  attributes.yml#/ids}``, a JSON Reference to a mapping of property schemas,
  as DigitalOcean's split spec does) is replaced by a copy of that mapping;
  the refs inside it resolve relative to its file.  (A property named ``$ref``
  would have a schema, never a string.)
* ``discriminator.mapping`` values that are refs (contain ``#`` or end in
  ``.json``/``.yaml``/``.yml``) are resolved like schema refs.

**Naming rule** for a bundled component: the last token of the target's JSON
pointer (``defs.yaml#/definitions/Pet`` -> ``Pet``), or the file's stem for a
whole-file ref (``schemas/pet.yaml`` -> ``pet``); characters outside the
component-name alphabet ``[A-Za-z0-9._-]`` become ``_``; a name with no letter
(``.../responses/200``) gets the file stem in front (``errors_200``).  If the
name is taken -- by the main document's own components or an earlier bundle --
``_2``, ``_3``, ... is appended.  Names are assigned in document order, so
equal input gives equal names.

**File access rule**: a ref may only reach files inside the *reference root*:
the directory of the main spec unless the caller passes another.  ``../`` is
allowed while the resolved path (symlinks followed) stays inside that tree.
Absolute paths, ``file:`` and other URI schemes are refused; ``http(s)`` refs
are refused unless ``allow_remote_refs`` is set; then they are fetched by
:mod:`forgegen.remote` (http(s) only, bounded in time and size), and refs
inside a fetched document resolve against its URL.  Without it the generator
never opens a network connection.

Every error names the referencing place (file, line, JSON pointer of the
object holding the ``$ref``) and the target.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from .diagnostics import Diagnostics, SpecError, join_pointer, pointer_tokens
from .limits import count_nodes, current_limits
from .loader import LoadedDocument, load_document
from .positions import parent_pointer
from .remote import fetch_document, is_remote
from .structure import REFERABLE, Kind, walk

__all__ = [
    "MISSING",
    "Bundle",
    "MissingTargetError",
    "Origin",
    "removal_order",
    "remove_at",
    "resolve",
    "resolve_pointer",
    "split_pointer",
]

#: What :func:`resolve_pointer` returns for a place that does not exist.
MISSING: Any = object()
_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")
_FILE_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Origin:
    """Where a bundled subtree came from: a file and the pointer inside it."""

    document: LoadedDocument
    pointer: str


@dataclass
class Bundle:
    """The bundled document, and the way back from its pointers to source files."""

    document: dict[str, Any]
    main: LoadedDocument
    origins: dict[str, Origin] = field(default_factory=dict)
    documents: dict[Path, LoadedDocument] = field(default_factory=dict)

    def origin_of(self, pointer: str) -> tuple[LoadedDocument, str]:
        """The source file of ``pointer`` and the pointer inside that file."""
        if self.origins:
            current: str | None = pointer
            while current is not None:
                origin = self.origins.get(current)
                if origin is not None:
                    return origin.document, origin.pointer + pointer[len(current) :]
                current = parent_pointer(current)
        return self.main, pointer

    def source(self, pointer: str) -> tuple[str | None, str]:
        """``(file name, pointer inside that file)`` for ``pointer`` (cheap: no line lookup)."""
        document, source_pointer = self.origin_of(pointer)
        return document.name, source_pointer

    def locate(self, pointer: str) -> tuple[str | None, int | None]:
        """``(file, line)`` of ``pointer`` in the source (line of the nearest known ancestor)."""
        document, source_pointer = self.origin_of(pointer)
        return document.name, document.line_of(source_pointer)


def split_pointer(fragment: str) -> list[str]:
    """``"/paths/~1pets"`` (URI fragment, maybe percent-encoded) -> ``["paths", "/pets"]``."""
    text = unquote(fragment)
    if text == "":
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in text.split("/")[1:]]


def removal_order(pointer: str) -> list[tuple[int, int | str]]:
    """Sort key for removing several nodes: reversed, later list items go first.

    Removing a list item shifts the ones after it, so a batch of removals is
    applied in reverse order of this key and every pointer still holds.
    """
    return [(0, int(t)) if t.isdigit() else (1, t) for t in pointer_tokens(pointer)]


def remove_at(document: Any, pointer: str, replacement: Any = MISSING) -> bool:
    """Remove the node at ``pointer``, or put ``replacement`` there; whether there was one."""
    tokens = pointer_tokens(pointer)
    parent = resolve_pointer(document, tokens[:-1])
    last: str | int = tokens[-1]
    if isinstance(parent, list):
        if not (isinstance(last, str) and last.isdigit() and int(last) < len(parent)):
            return False
        last = int(last)
    elif not (isinstance(parent, dict) and last in parent):
        return False
    if replacement is MISSING:
        del parent[last]
    else:
        parent[last] = replacement
    return True


def resolve_pointer(data: Any, tokens: list[str]) -> Any:
    """The value at ``tokens`` inside ``data``, or ``MISSING``.

    A token also matches an int key (``200:`` in YAML), since ``normalize``
    has not turned such keys into strings yet.
    """
    current = data
    for token in tokens:
        if isinstance(current, dict):
            if token in current:
                current = current[token]
            elif _is_index(token) and int(token) in current:
                current = current[int(token)]
            else:
                return MISSING
        elif isinstance(current, list):
            if not _is_index(token) or int(token) >= len(current):
                return MISSING
            current = current[int(token)]
        else:
            return MISSING
    return current


def _is_index(token: str) -> bool:
    return token.isascii() and token.isdigit()


class MissingTargetError(SpecError):
    """A ``$ref`` whose target does not exist (in a file that does)."""


#: What is left of a node whose ``$ref`` names nothing, by kind, for the warning.
_DROPPED = {
    Kind.PATH_ITEM: "the path is ignored",
    Kind.OPERATION: "the operation is ignored",
    Kind.PARAMETER: "the parameter is ignored",
    Kind.REQUEST_BODY: "the operation is generated without a body",
    Kind.RESPONSE: "the response is ignored",
    Kind.HEADER: "the header is ignored",
    Kind.EXAMPLE: "the example is ignored",
    Kind.LINK: "the link is ignored",
    Kind.CALLBACK: "the callback is ignored",
    Kind.SECURITY_SCHEME: "the security scheme is ignored",
}


def resolve(
    main: LoadedDocument,
    *,
    allow_remote_refs: bool = False,
    ref_root: Path | None = None,
    diagnostics: Diagnostics | None = None,
) -> Bundle:
    """Bundle ``main`` (mutated in place) and the files it references into one document.

    With ``diagnostics``, a ``$ref`` whose target does not exist degrades the
    one construct that holds it, with a warning: a schema becomes ``Any``, a
    discriminator mapping entry is dropped, anything else (a parameter, a
    response, a path item ...) is removed from where it stands.  Without, it is
    a :class:`MissingTargetError`.  A file that cannot be read is an error either
    way.
    """
    if not isinstance(main.data, dict):
        raise SpecError("not an OpenAPI document: the top level is not a mapping", file=main.name)
    resolver = _Resolver(
        main, allow_remote_refs=allow_remote_refs, ref_root=ref_root, diagnostics=diagnostics
    )
    walk(main.data, Kind.ROOT, "#", resolver.visit)
    resolver.drop_dangling()
    return resolver.bundle


class _Resolver:
    def __init__(
        self,
        main: LoadedDocument,
        *,
        allow_remote_refs: bool,
        ref_root: Path | None,
        diagnostics: Diagnostics | None = None,
    ) -> None:
        self.bundle = Bundle(document=main.data, main=main, documents={main.path: main})
        self.diagnostics = diagnostics
        # Bundled pointers of nodes whose $ref names nothing, removed after the walk.
        self.dangling: list[str] = []
        self.root = (ref_root or main.path.parent).resolve()
        self.allow_remote_refs = allow_remote_refs
        self.bundled: dict[tuple[Path, str, str], str] = {}
        self.walked: set[int] = set()  # copies already walked by their own bundle step
        # Nodes copied in from other files so far.  Counted before each copy, so a
        # spec whose $refs copy one file's schema into ten thousand places stops
        # at the limit instead of filling memory before the document is checked.
        self.copied = 0

    def copy_in(self, target: Any, document: LoadedDocument, pointer: str) -> Any:
        """A deep copy of ``target`` (``pointer`` in ``document``), within the node limit."""
        limits = current_limits()
        room = limits.max_nodes - self.copied
        size = count_nodes(target, room)
        if size > room:
            what = (
                f"copying {pointer} from {document.name} brings the nodes $refs copy "
                f"from other files past {limits.max_nodes:,}"
            )
            refusal = limits.refusal("max_nodes", what)
            raise SpecError(
                refusal, pointer=pointer, file=document.name, line=document.line_of(pointer)
            )
        self.copied += size
        return copy.deepcopy(target)

    # -- the visitor -------------------------------------------------------------

    def visit(self, node: dict[str, Any], kind: Kind, pointer: str) -> bool:
        if id(node) in self.walked:
            return False
        if kind is Kind.SCHEMA:
            self._discriminator(node, pointer)
            self._properties(node, pointer)
        ref = node.get("$ref")
        if ref is None or (kind not in REFERABLE and kind is not Kind.OPERATION):
            return True
        if not isinstance(ref, str):
            raise self._error(pointer, f"$ref must be a string, not {type(ref).__name__}")
        try:
            target, target_pointer = self._target(pointer, ref)
        except MissingTargetError as missing:
            if self.diagnostics is None:
                raise
            self._degrade_missing(node, kind, pointer, missing.diagnostic.message)
            return False
        if kind is Kind.OPERATION:
            self._inline(node, pointer, ref, target, target_pointer, what="operation")
        elif target is self.bundle.main:
            node["$ref"] = target_pointer
        elif kind is Kind.PATH_ITEM:
            self._inline(node, pointer, ref, target, target_pointer, what="path item")
        else:
            node["$ref"] = self._bundle(target, target_pointer, kind)
        return True

    def _discriminator(self, node: dict[str, Any], pointer: str) -> None:
        discriminator = node.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(mapping, dict):
            return
        for name, value in list(mapping.items()):
            if not isinstance(value, str) or not (
                "#" in value or value.lower().endswith(_FILE_SUFFIXES)
            ):
                continue  # a bare schema name
            place = join_pointer(pointer, "discriminator", "mapping", name)
            try:
                target, target_pointer = self._target(place, value)
            except MissingTargetError as missing:
                if self.diagnostics is None:
                    raise
                self.diagnostics.warn(f"{missing.diagnostic.message}; the entry is dropped", place)
                del mapping[name]
                continue
            if target is self.bundle.main:
                mapping[name] = target_pointer
            else:
                mapping[name] = self._bundle(target, target_pointer, Kind.SCHEMA)

    def _properties(self, node: dict[str, Any], pointer: str) -> None:
        """``properties: {$ref: attributes.yml#/ids}``: the mapping it names, copied in."""
        properties = node.get("properties")
        if not (
            isinstance(properties, dict)
            and len(properties) == 1
            and isinstance(properties.get("$ref"), str)
        ):
            return  # (a property named "$ref" has a schema, not a string)
        place = join_pointer(pointer, "properties")
        ref = properties["$ref"]
        try:
            document, target_pointer = self._target(place, ref)
        except MissingTargetError as missing:
            if self.diagnostics is None:
                raise
            del node["properties"]
            self.diagnostics.warn(
                f"{missing.diagnostic.message}; the schema is read without properties", place
            )
            return
        target = resolve_pointer(document.data, split_pointer(target_pointer[1:]))
        if not isinstance(target, dict):
            raise self._error(place, f"$ref {ref!r}: properties must be a mapping")
        node["properties"] = self.copy_in(target, document, target_pointer)
        self.bundle.origins[place] = Origin(document, target_pointer)

    # -- degrading ---------------------------------------------------------------

    def _degrade_missing(self, node: dict[str, Any], kind: Kind, pointer: str, found: str) -> None:
        """Degrade the construct at ``pointer`` whose $ref names nothing (see :func:`resolve`)."""
        assert self.diagnostics is not None
        if kind is Kind.SCHEMA:
            # Siblings of the $ref (a description, nullable) still say something true.
            del node["$ref"]
            self.diagnostics.warn(f"{found}; the schema is typed as Any", pointer)
            return
        self.diagnostics.warn(f"{found}; {_DROPPED.get(kind, 'it is ignored')}", pointer)
        self.dangling.append(pointer)

    def drop_dangling(self) -> None:
        """Remove the nodes :meth:`_degrade_missing` left."""
        for pointer in sorted(self.dangling, key=removal_order, reverse=True):
            remove_at(self.bundle.document, pointer)

    # -- targets -----------------------------------------------------------------

    def _target(self, pointer: str, ref: str) -> tuple[LoadedDocument, str]:
        """The document and canonical pointer ``ref`` (found at ``pointer``) names."""
        source, _ = self.bundle.origin_of(pointer)
        uri, _, fragment = ref.partition("#")
        document = source if uri == "" else self._file(pointer, ref, uri, source)
        if fragment and not fragment.startswith("/"):
            raise self._error(
                pointer, f"$ref {ref!r}: only JSON-pointer fragments ('#/...') are supported"
            )
        tokens = split_pointer(fragment)
        if resolve_pointer(document.data, tokens) is MISSING:
            where = "" if document is source else f" in {document.name}"
            raise self._error(pointer, f"$ref {ref!r} not found{where}", MissingTargetError)
        return document, join_pointer("#", *tokens)

    def _file(self, pointer: str, ref: str, uri: str, source: LoadedDocument) -> LoadedDocument:
        parts = urlsplit(uri)
        if is_remote(source) and not parts.scheme:
            uri = urljoin(source.name, uri)  # refs inside a fetched document follow its URL
            parts = urlsplit(uri)
        if parts.scheme in ("http", "https") or parts.netloc:
            if not self.allow_remote_refs:
                raise self._error(
                    pointer,
                    f"remote $ref {ref!r} refused (remote references are off unless "
                    "--allow-remote-refs)",
                )
            return self._remote(pointer, uri)
        if parts.scheme:
            raise self._error(
                pointer, f"$ref {ref!r}: {parts.scheme}: URIs are refused; use a relative path"
            )
        relative = unquote(parts.path)
        if "\x00" in relative:
            raise self._error(pointer, f"$ref {ref!r}: a file name cannot contain NUL")
        if os.path.isabs(relative) or relative.startswith(("/", "\\")):
            raise self._error(pointer, f"$ref {ref!r}: absolute paths are refused")
        path = (source.path.parent / relative).resolve()
        if not path.is_relative_to(self.root):
            raise self._error(
                pointer,
                f"$ref {ref!r} points outside the spec's directory ({self.root}); refused",
            )
        known = self.bundle.documents.get(path)
        if known is not None:
            return known
        name = os.path.normpath(os.path.join(os.path.dirname(source.name), relative))
        if not path.is_file():
            raise self._error(pointer, f"$ref {ref!r}: file {name!r} not found")
        document = load_document(path, name=name)
        self.bundle.documents[path] = document
        return document

    def _remote(self, pointer: str, url: str) -> LoadedDocument:
        """The fetched document at ``url`` (each URL fetched once per generation)."""
        url = urldefrag(url)[0]
        for known in self.bundle.documents.values():
            if is_remote(known) and known.name == url:
                return known
        try:
            document = fetch_document(url)
        except SpecError as error:
            raise self._error(pointer, str(error.diagnostic)) from None
        self.bundle.documents[document.path] = document
        return document

    # -- bundling ----------------------------------------------------------------

    def _bundle(self, document: LoadedDocument, pointer: str, kind: Kind) -> str:
        """Copy the target into ``components``; the local pointer to the copy."""
        section = REFERABLE[kind]
        key = (document.path, pointer, section)
        local = self.bundled.get(key)
        if local is not None:
            return local
        components = self._section(section)
        name = _component_name(document, pointer, components)
        local = join_pointer("#/components", section, name)
        self.bundled[key] = local
        target = self.copy_in(
            resolve_pointer(document.data, split_pointer(pointer[1:])), document, pointer
        )
        components[name] = target
        self.bundle.origins[local] = Origin(document, pointer)
        walk(target, kind, local, self.visit)
        if isinstance(target, dict):
            self.walked.add(id(target))
        return local

    def _inline(
        self,
        node: dict[str, Any],
        pointer: str,
        ref: str,
        document: LoadedDocument,
        target_pointer: str,
        *,
        what: str,
    ) -> None:
        current = parent_pointer(pointer)
        while current is not None:
            origin = self.bundle.origins.get(current)
            if origin is not None and (origin.document.path, origin.pointer) == (
                document.path,
                target_pointer,
            ):
                raise self._error(pointer, f"$ref {ref!r}: {what} contains itself")
            current = parent_pointer(current)
        target = resolve_pointer(document.data, split_pointer(target_pointer[1:]))
        if not isinstance(target, dict):
            raise self._error(pointer, f"$ref {ref!r}: the {what} must be a mapping")
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        node.clear()
        node.update(self.copy_in(target, document, target_pointer))
        node.update(siblings)
        self.bundle.origins[pointer] = Origin(document, target_pointer)

    def _section(self, section: str) -> dict[str, Any]:
        document = self.bundle.document
        components = document.setdefault("components", {})
        if not isinstance(components, dict):
            raise self._error("#/components", "components must be a mapping")
        entries = components.setdefault(section, {})
        if not isinstance(entries, dict):
            raise self._error(join_pointer("#/components", section), "must be a mapping")
        return entries

    def _error(self, pointer: str, message: str, error: type[SpecError] = SpecError) -> SpecError:
        document, source_pointer = self.bundle.origin_of(pointer)
        return error(
            message,
            pointer=source_pointer,
            file=document.name,
            line=document.line_of(source_pointer),
        )


def _component_name(document: LoadedDocument, pointer: str, taken: dict[str, Any]) -> str:
    tokens = split_pointer(pointer[1:])
    stem = _NAME_CHARS.sub("_", document.path.stem)
    name = _NAME_CHARS.sub("_", tokens[-1]) if tokens else stem
    if not re.search(r"[A-Za-z]", name):
        name = f"{stem}_{name}" if name else stem
    candidate, suffix = name, 2
    while candidate in taken:
        candidate = f"{name}_{suffix}"
        suffix += 1
    return candidate
