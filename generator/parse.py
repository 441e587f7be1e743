"""The front end: a spec file in, a validated OpenAPI 3.1 model out.

``parse_spec`` runs ``load -> resolve -> normalize -> validate`` and hands
``lower`` a :class:`ParsedSpec`: openapi-pydantic's 3.1 ``OpenAPI`` model, the
same data as a plain dict (for vendor extensions and raw details), and a
``locate`` function that turns any JSON pointer of the bundled document back
into ``(file, line)`` of the source, across files.

Whatever goes wrong surfaces as a :class:`~forgegen.diagnostics.SpecError`
naming file, line and pointer: a pydantic ``ValidationError`` is translated
here (the error's ``loc`` is walked through the document to a JSON pointer,
skipping the union-member names pydantic puts in it), never shown raw.

Versions: OpenAPI 3.0.x and 3.1.x, and Swagger 2.0, which
:mod:`forgegen.swagger2` bundles and converts to OpenAPI 3.0.3 first (``locate``
and every message still name the 2.0 file, pointer and line); any other
version, or a document without ``openapi``/``swagger``, a clear refusal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .diagnostics import Diagnostics, SpecError
from .limits import Limits, check_document, limits_in_effect
from .loader import LoadedDocument, load_document
from .normalize import normalize
from .overlay import Overlay, apply_overlays, combined_sha256, load_overlay
from .resolver import Bundle, resolve
from .validation import Validation

if TYPE_CHECKING:
    from openapi_pydantic.v3.v3_1 import OpenAPI

__all__ = ["ParsedSpec", "detect_version", "parse_spec"]

_VERSION = re.compile(r"3\.([01])(\.\d+)?(-[0-9A-Za-z.-]+)?")


@dataclass(frozen=True)
class ParsedSpec:
    """A validated spec, ready for ``lower``.

    ``document`` is the bundled, normalised plain data that ``openapi`` was
    validated from; ``locate(pointer)`` gives ``(file, line)`` for a pointer
    into it (line ``None`` when unknown).
    """

    document: dict[str, Any]
    source_path: Path
    source_sha256: str
    original_version: str
    locate: Callable[[str], tuple[str | None, int | None]]
    diagnostics: Diagnostics
    files: tuple[str, ...]
    """Every file read, main spec first (for ``--check`` and watch modes)."""
    validation: Validation
    overlays: tuple[Overlay, ...] = ()
    """The overlays applied to the entry document, in order (``source_sha256`` covers them)."""

    @property
    def openapi(self) -> OpenAPI:
        """openapi-pydantic's model of ``document`` (built on first access if validation ran
        in the background)."""
        return self.validation.model()

    def check(self) -> None:
        """Raise the document's :class:`SpecError` if it is invalid (waits for a background
        validation)."""
        self.validation.check()


def parse_spec(
    path: str | os.PathLike[str],
    *,
    allow_remote_refs: bool = False,
    diagnostics: Diagnostics | None = None,
    ref_root: str | os.PathLike[str] | None = None,
    validate: Literal["now", "background"] = "now",
    limits: Limits | None = None,
    overlays: Sequence[str | os.PathLike[str]] = (),
) -> ParsedSpec:
    """Load, bundle, normalise and validate the spec at ``path``.

    ``ref_root`` widens the directory tree that relative ``$ref``s may read
    (default: the spec's own directory).  Warnings go to ``diagnostics``.
    ``validate="background"`` starts validation on another core: the caller must
    call :meth:`ParsedSpec.check` before trusting the document (generation does,
    before writing anything).  ``limits`` (default :data:`~forgegen.limits.DEFAULT_LIMITS`)
    bound every file read and the bundled document, before normalising.
    """
    with limits_in_effect(limits) as active:
        return _parse(
            path,
            allow_remote_refs=allow_remote_refs,
            diagnostics=diagnostics,
            ref_root=ref_root,
            validate=validate,
            limits=active,
            overlays=overlays,
        )


def _parse(
    path: str | os.PathLike[str],
    *,
    allow_remote_refs: bool,
    diagnostics: Diagnostics | None,
    ref_root: str | os.PathLike[str] | None,
    validate: Literal["now", "background"],
    limits: Limits,
    overlays: Sequence[str | os.PathLike[str]],
) -> ParsedSpec:
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    main = load_document(path)
    applied = tuple(load_overlay(overlay) for overlay in overlays)
    if applied:
        # Before anything reads the document, so an overlay can repair any of it
        # (its version included); what it changed is located by pointer only.
        main = replace(main, data=apply_overlays(main.data, applied, diagnostics))
    try:
        version = detect_version(main, diagnostics)
        root = Path(ref_root) if ref_root is not None else None
        bundle: Bundle
        if version == "2.0":
            from .swagger2 import bundle_swagger2  # noqa: PLC0415 - 2.0 documents only

            bundle = bundle_swagger2(
                main, diagnostics=diagnostics, allow_remote_refs=allow_remote_refs, ref_root=root
            )
        else:
            bundle = resolve(
                main, allow_remote_refs=allow_remote_refs, ref_root=root, diagnostics=diagnostics
            )
        document = bundle.document
        check_document(document, limits, bundle.locate)
        normalize(
            document,
            version="3.0" if version == "2.0" else version[:3],
            diagnostics=diagnostics,
            source=bundle.source,
            only_json=all(loaded.format == "json" for loaded in bundle.documents.values()),
        )
        start = Validation.start if validate == "background" else Validation.now
        validation = start(document, bundle)
    except RecursionError:
        raise SpecError("the document is nested too deeply to process", file=main.name) from None
    return ParsedSpec(
        document=document,
        source_path=main.path,
        source_sha256=combined_sha256(main.sha256, applied),
        original_version=version,
        locate=bundle.locate,
        diagnostics=diagnostics,
        files=tuple(str(document_path) for document_path in bundle.documents),
        validation=validation,
        overlays=applied,
    )


def detect_version(main: LoadedDocument, diagnostics: Diagnostics) -> str:
    """The document's version (``"3.0.3"``, ``"2.0"``), or a :class:`SpecError` saying why not."""
    data = main.data
    if not isinstance(data, dict):
        found = "empty" if data is None else f"a {type(data).__name__}"
        raise SpecError(
            f"not an OpenAPI document: the file is {found}, expected a mapping with 'openapi'",
            file=main.name,
            line=1,
        )
    if "openapi" not in data:
        if "swagger" in data:
            return _swagger_version(main, data["swagger"], diagnostics)
        raise SpecError(
            "not an OpenAPI document: no 'openapi' version field at the top level",
            file=main.name,
            line=1,
        )
    raw = data["openapi"]
    text = raw if isinstance(raw, str) else str(raw)
    match = _VERSION.fullmatch(text.strip())
    if match is None or isinstance(raw, bool):
        raise SpecError(
            f"unsupported OpenAPI version {raw!r}; forgegen reads 3.0.x and 3.1.x",
            pointer="#/openapi",
            file=main.name,
            line=main.line_of("#/openapi"),
        )
    if not isinstance(raw, str) or match.group(2) is None:
        diagnostics.warn(
            f"openapi version {raw!r} should be a string like '3.{match.group(1)}.0'",
            "#/openapi",
            file=main.name,
        )
    if "swagger" in data:
        diagnostics.warn(
            f"the document has both 'openapi' and 'swagger': read as OpenAPI {text.strip()}, "
            "'swagger' is ignored",
            "#/swagger",  # located with its line, like the warnings of later stages
        )
    return text.strip()


def _swagger_version(main: LoadedDocument, raw: Any, diagnostics: Diagnostics) -> str:
    text = raw if isinstance(raw, str) else str(raw)
    if text.strip() != "2.0" or isinstance(raw, bool):
        raise SpecError(
            f"unsupported Swagger version {raw!r}; forgegen reads Swagger 2.0 and "
            "OpenAPI 3.0.x and 3.1.x",
            pointer="#/swagger",
            file=main.name,
            line=main.line_of("#/swagger"),
        )
    if not isinstance(raw, str):
        diagnostics.warn(
            f"swagger version {raw!r} should be the string '2.0'", "#/swagger", file=main.name
        )
    return "2.0"
