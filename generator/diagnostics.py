"""Errors and warnings that name the place in the spec they are about.

Every stage reports through these two types, so a user always reads the same
shape::

    spec.yaml:120 #/paths/~1pets/get/responses/200: $ref '#/components/schemas/Pett' not found

A :class:`SpecError` stops generation (exit code 1, no traceback); a warning
is collected in :class:`Diagnostics` and generation goes on (something was
normalised or degraded, e.g. a schema typed as ``Any``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

__all__ = [
    "Diagnostic",
    "Diagnostics",
    "SpecError",
    "brief",
    "escape_pointer_token",
    "join_pointer",
    "pointer_tokens",
]


def brief(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for quoting spec values in messages.

    An integer with more digits than fit is named by its size instead: its repr
    would be thousands of characters, or refused outright past Python's
    integer-string limit.
    """
    if isinstance(value, int) and value.bit_length() > 200:
        # log10(2) digits per bit: no str() of the number itself
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def escape_pointer_token(token: str | int) -> str:
    """RFC 6901 escaping of one reference token (``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    """``base`` (``"#/paths"``) extended by ``tokens``, each escaped."""
    # Called ~80,000 times for a big spec: skip the escaping when there is none to do.
    for token in tokens:
        text = token if isinstance(token, str) else str(token)
        if "~" in text or "/" in text:
            text = text.replace("~", "~0").replace("/", "~1")
        base = f"{base}/{text}"
    return base


def pointer_tokens(pointer: str) -> list[str]:
    """The unescaped tokens of a local ``#/...`` pointer (what :func:`join_pointer` joined)."""
    if not pointer.startswith("#/"):
        return []
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[2:].split("/")]


@dataclass(frozen=True)
class Diagnostic:
    """A message about one place: ``file``, ``line`` and ``column`` when known, the JSON pointer."""

    message: str
    pointer: str = ""
    file: str | None = None
    line: int | None = None
    column: int | None = None  # 1-based; known for syntax errors

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            if self.line is not None and self.column is not None:
                where = f"{where}:{self.column}"
        if self.pointer:
            where = f"{where} {self.pointer}" if where else self.pointer
        return f"{where}: {self.message}" if where else self.message


class SpecError(Exception):
    """The spec cannot be turned into a client; ``diagnostic`` says where and why."""

    def __init__(
        self,
        message: str,
        *,
        pointer: str = "",
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.diagnostic = Diagnostic(
            message=message, pointer=pointer, file=file, line=line, column=column
        )
        super().__init__(str(self.diagnostic))

    @property
    def pointer(self) -> str:
        return self.diagnostic.pointer

    def located(self, locate: Callable[[str], tuple[str | None, int | None]]) -> SpecError:
        """A copy with file and line filled in from ``locate(pointer)`` when they were missing."""
        if self.diagnostic.file is not None or not self.diagnostic.pointer:
            return self
        file, line = locate(self.diagnostic.pointer)
        located = SpecError(
            self.diagnostic.message, pointer=self.diagnostic.pointer, file=file, line=line
        )
        located.__cause__ = self.__cause__
        return located


@dataclass
class Diagnostics:
    """Warnings collected during one generation, in the order they were raised.

    Thread-safe, because formatting runs in a pool; deduplicated, because a
    schema referenced from many places should be reported once.
    """

    warnings: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def warn(self, message: str, pointer: str = "", *, file: str | None = None) -> None:
        """Record a warning about ``pointer``."""
        key = (message, pointer)
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self.warnings.append(Diagnostic(message=message, pointer=pointer, file=file))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.warn(diagnostic.message, diagnostic.pointer, file=diagnostic.file)

    def __len__(self) -> int:
        return len(self.warnings)
