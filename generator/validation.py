"""Validating the bundled document against openapi-pydantic's OpenAPI 3.1 model.

The verdict is needed before anything is written, but nothing between parse and
write uses the model: ``lower`` reads the plain document.  So a generation run
can validate on the machine's second core while the first lowers and renders:
:meth:`Validation.start` forks a child that imports openapi-pydantic and
validates, and the parent never imports it (~0.16 s) nor waits for it (~0.1 s
on GitHub's document) until :meth:`Validation.check`.  Where forking is not
safe (not Linux, other threads running, one CPU) the same work runs in-process.

A pydantic ``ValidationError`` becomes a :class:`SpecError` naming the pointer,
file and line (the error's ``loc`` is walked through the document, skipping the
union-member names pydantic puts in it), never shown raw.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import TYPE_CHECKING, Any

from .diagnostics import SpecError, brief, join_pointer
from .resolver import Bundle

if TYPE_CHECKING:
    from openapi_pydantic.v3.v3_1 import OpenAPI
    from pydantic import ValidationError

__all__ = ["Validation"]

_MAX_REPORTED = 3


class Validation:
    """The validation of one bundled document: done now, or running in a child process."""

    def __init__(self, document: dict[str, Any], bundle: Bundle) -> None:
        self._document = document
        self._bundle = bundle
        self._model: OpenAPI | None = None
        self._child: tuple[int, int] | None = None  # (pid, read end of the result pipe)

    @classmethod
    def now(cls, document: dict[str, Any], bundle: Bundle) -> Validation:
        """Validate in this process (raises :class:`SpecError` at once)."""
        validation = cls(document, bundle)
        validation.model()
        return validation

    @classmethod
    def start(cls, document: dict[str, Any], bundle: Bundle) -> Validation:
        """Validate on another core when that is safe; :meth:`check` collects the verdict."""
        validation = cls(document, bundle)
        if not _can_fork():
            return validation  # validated here by check(), which may still degrade the document
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: validate, report, leave without running the parent's exits
            os.close(read_end)
            code = 0
            try:
                verdict = validation._verdict_here()
                with os.fdopen(write_end, "wb") as stream:
                    pickle.dump(verdict, stream)
            except BaseException:  # any failure: the parent validates itself
                code = 1
            os._exit(code)
        os.close(write_end)
        validation._child = (pid, read_end)
        return validation

    def check(self) -> None:
        """Raise the document's :class:`SpecError` if it is invalid (waits for a child)."""
        if self._model is not None:
            return
        child, self._child = self._child, None
        if child is not None:
            verdict = _collect(*child)
            if verdict is not None:
                if verdict == ():
                    return
                message, pointer, file, line = verdict
                raise SpecError(message, pointer=pointer, file=file, line=line)
        self.model()  # no child, or it died: validate here

    def model(self) -> OpenAPI:
        """openapi-pydantic's model of the document (validated in this process if needed)."""
        if self._model is None:
            error = self._validate_here()
            if error is not None:
                raise _spec_error(error, self._document, self._bundle) from None
        assert self._model is not None
        return self._model

    def problems(self) -> list[tuple[str, str]]:
        """Validate the document as it is now, here: its failing places as ``(pointer, message)``.

        Pointers are into the bundled document.  For repairing a document
        (:mod:`.degrade`), which changes it between calls; ``[]`` means valid,
        and :meth:`check` then passes.
        """
        error = self._validate_here()
        return [] if error is None else _problems(error, self._document)

    def _validate_here(self) -> ValidationError | None:
        """Validate in this process (reaping a child first): pydantic's error, or ``None``."""
        if self._child is not None:
            _collect(*self._child)  # reap it; the verdict is recomputed here
            self._child = None
        from openapi_pydantic.v3.v3_1 import OpenAPI  # noqa: PLC0415 - see the module note
        from pydantic import ValidationError  # noqa: PLC0415

        self._model = None
        try:
            self._model = OpenAPI.model_validate(self._document)
        except ValidationError as error:
            return error
        except RecursionError:
            raise SpecError("the document is nested too deeply to process") from None
        return None

    def _verdict_here(self) -> tuple[()] | tuple[str, str, str | None, int | None]:
        try:
            self.model()
        except SpecError as error:
            found = error.diagnostic
            return (found.message, found.pointer, found.file, found.line)
        return ()

    def __del__(self) -> None:
        if self._child is not None:  # never checked (an error elsewhere): reap the child
            _collect(*self._child)


def _can_fork() -> bool:
    # fork() copies only the calling thread: with others running, a lock one of
    # them holds would stay locked in the child.  Off Linux, fork without exec is
    # not safe with every system library.
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and (os.cpu_count() or 1) > 1
        and hasattr(os, "fork")
    )


def _collect(pid: int, read_end: int) -> Any:
    """The child's pickled verdict (``None`` if it died without one); reaps the child."""
    with os.fdopen(read_end, "rb") as stream:
        data = stream.read()
    os.waitpid(pid, 0)
    if not data:
        return None
    try:
        return pickle.loads(data)  # noqa: S301 - written by our own forked child
    except Exception:  # a truncated verdict: validate in-process instead
        return None


def _spec_error(error: ValidationError, document: dict[str, Any], bundle: Bundle) -> SpecError:
    """The most useful of pydantic's errors as a located SpecError, with a few more listed."""
    problems = _problems(error, document)
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


def _problems(error: ValidationError, document: dict[str, Any]) -> list[tuple[str, str]]:
    """pydantic's errors as ``(pointer, message)``, without inapplicable union branches."""
    problems: list[tuple[str, str]] = []
    for detail in error.errors(include_url=False):
        problem = _problem(detail, document)
        if problem is not None and problem not in problems:
            problems.append(problem)
    if not problems:  # every error was a union branch that does not apply; report them all
        problems = [_describe(detail, document) for detail in error.errors(include_url=False)]
    return problems


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
        message = f"{message} (found {brief(node)})"
    return pointer, message, branch_node if branch_node is not None else node, tags
