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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_pydantic.v3.v3_1 import OpenAPI
from pydantic import ValidationError

from .diagnostics import Diagnostics, SpecError, join_pointer
from .loader import LoadedDocument, load_document
from .normalize import normalize
from .resolver import Bundle, resolve

__all__ = ["ParsedSpec", "detect_version", "parse_spec"]

_VERSION = re.compile(r"3\.([01])(\.\d+)?(-[0-9A-Za-z.-]+)?")
_MAX_REPORTED = 3


@dataclass(frozen=True)
class ParsedSpec:
    """A validated spec, ready for ``lower``.

    ``document`` is the bundled, normalised plain data that ``openapi`` was
    validated from; ``locate(pointer)`` gives ``(file, line)`` for a pointer
    into it (line ``None`` when unknown).
    """

    openapi: OpenAPI
    document: dict[str, Any]
    source_path: Path
    source_sha256: str
    original_version: str
    locate: Callable[[str], tuple[str | None, int | None]]
    diagnostics: Diagnostics
    files: tuple[str, ...]
    """Every file read, main spec first (for ``--check`` and watch modes)."""


def parse_spec(
    path: str | os.PathLike[str],
    *,
    allow_remote_refs: bool = False,
    diagnostics: Diagnostics | None = None,
    ref_root: str | os.PathLike[str] | None = None,
) -> ParsedSpec:
    """Load, bundle, normalise and validate the spec at ``path``.

    ``ref_root`` widens the directory tree that relative ``$ref``s may read
    (default: the spec's own directory).  Warnings go to ``diagnostics``.
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    main = load_document(path)
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
            bundle = resolve(main, allow_remote_refs=allow_remote_refs, ref_root=root)
        document = bundle.document
        normalize(
            document,
            version="3.0" if version == "2.0" else version[:3],
            diagnostics=diagnostics,
            source=bundle.source,
        )
        openapi = _validate(document, bundle)
    except RecursionError:
        raise SpecError("the document is nested too deeply to process", file=main.name) from None
    return ParsedSpec(
        openapi=openapi,
        document=document,
        source_path=main.path,
        source_sha256=main.sha256,
        original_version=version,
        locate=bundle.locate,
        diagnostics=diagnostics,
        files=tuple(str(document_path) for document_path in bundle.documents),
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


def _validate(document: dict[str, Any], bundle: Bundle) -> OpenAPI:
    try:
        return OpenAPI.model_validate(document)
    except ValidationError as error:
        raise _spec_error(error, document, bundle) from None


def _spec_error(error: ValidationError, document: dict[str, Any], bundle: Bundle) -> SpecError:
    """The most useful of pydantic's errors as a located SpecError, with a few more listed."""
    problems: list[tuple[str, str]] = []
    for detail in error.errors(include_url=False):
        problem = _problem(detail, document)
        if problem is not None and problem not in problems:
            problems.append(problem)
    if not problems:  # every error was a union branch that does not apply; report them all
        problems = [_describe(detail, document) for detail in error.errors(include_url=False)]
    pointer, message = problems[0]
    if len(problems) > 1:
        more = "; ".join(f"{p}: {m}" for p, m in problems[1 : 1 + _MAX_REPORTED])
        extra = len(problems) - 1 - _MAX_REPORTED
        message += f" (also {more}" + (f"; and {extra} more)" if extra > 0 else ")")
    origin, source_pointer = bundle.origin_of(pointer)
    return SpecError(
        f"invalid OpenAPI document: {message}",
        pointer=source_pointer,
        file=origin.name,
        line=origin.line_of(source_pointer),
    )


def _problem(detail: Any, document: dict[str, Any]) -> tuple[str, str] | None:
    """``(pointer, message)`` for one pydantic error, or None for an inapplicable branch.

    A node without ``$ref`` fails the ``Reference`` branch of every
    ``Union[Reference, X]`` with "$ref: Field required": noise, dropped.
    """
    pointer, message, node, tags = _walk_loc(detail, document)
    if "Reference" in tags and not (isinstance(node, dict) and "$ref" in node):
        return None
    return pointer, message


def _describe(detail: Any, document: dict[str, Any]) -> tuple[str, str]:
    pointer, message, _, _ = _walk_loc(detail, document)
    return pointer, message


def _walk_loc(detail: Any, document: Any) -> tuple[str, str, Any, list[str]]:
    """Follow ``loc`` through the document: ``(pointer, message, node, union tags skipped)``.

    ``node`` is the value at the place where a union tag was first skipped
    (what the branch was tried on), else the last value reached.
    """
    loc: tuple[Any, ...] = tuple(detail.get("loc", ()))
    kind = detail.get("type", "")
    message = str(detail.get("msg", "invalid"))
    pointer = "#"
    node: Any = document
    branch_node: Any = None
    tags: list[str] = []
    for index, step in enumerate(loc):
        last = index == len(loc) - 1
        in_dict = isinstance(node, dict) and step in node
        if in_dict or (isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)):
            node = node[step]
            pointer = join_pointer(pointer, step)
        elif step == "[key]":
            message = f"key: {message}"
        elif last and kind == "missing" and isinstance(node, dict):
            message = f"required field {step!r} is missing"
        else:
            if branch_node is None:
                branch_node = node
            tags.append(str(step))
    if kind != "missing" and not isinstance(node, (dict, list)):
        message = f"{message} (found {_short(node)})"
    return pointer, message, branch_node if branch_node is not None else node, tags


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
