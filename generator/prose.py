"""Spec prose that remembers where it was read: what lets a regeneration skip ``lower``.

A summary or description changes no name, type or module of the client; it is
copied into the IR and printed by the templates.  ``lower`` reads such text
through :func:`prose`, which returns a :class:`Prose`: a ``str`` (equal to and
hashed like the text, so nothing downstream can tell) that also carries the
JSON pointer of the document place it was read from and the very string object
found there.

:mod:`forgegen.incremental` uses both: the document with every pointer that a
``Prose`` of the IR came from blanked out is the *structure* ``lower`` depends
on, and a pickled IR restored by :class:`ProseUnpickler` takes each ``Prose``'s
text from the new document at its pointer.  The object kept in ``source``
proves the pointer right (``lower`` may read text from a dict it built itself,
e.g. a merged ``allOf``; then the pointer would not hold that object and the
document is not reused).

Only text that goes verbatim into the IR may be read with :func:`prose`: text
that steers a decision of ``lower`` (a name, a type) must be read plainly, so it
stays part of the structure.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
import threading
from collections.abc import Callable, Mapping
from typing import Any

from .diagnostics import join_pointer

__all__ = ["Prose", "ProseCollector", "ProseUnpickler", "prose"]


class Prose(str):
    """Text read from the spec at ``pointer``; ``source`` is the object found there."""

    pointer: str
    source: str

    def __new__(cls, text: str, pointer: str) -> Prose:
        self = super().__new__(cls, text)
        self.pointer = pointer
        self.source = text
        return self

    def __reduce__(self) -> tuple[Callable[[str, str], Prose], tuple[str, str]]:
        collector = _collecting.current
        if collector is not None:
            collector.append(self)
        return _restore_prose, (str(self), self.pointer)


def _restore_prose(text: str, pointer: str) -> Prose:
    return Prose(text, pointer)


def prose(node: Mapping[str, Any], key: str, pointer: str) -> str | None:
    """``node[key]`` as :class:`Prose` read at ``pointer``/``key``; ``None`` unless a string.

    ``pointer`` must be ``node``'s own place in the document (after following a
    ``$ref``, the target's).
    """
    value = node.get(key)
    if not isinstance(value, str):
        return None
    return Prose(value, join_pointer(pointer, key))


class _Collecting(threading.local):
    current: list[Prose] | None = None


_collecting = _Collecting()


class ProseCollector:
    """``with ProseCollector() as found:`` every :class:`Prose` pickled inside lands in ``found``.

    Pickling is how the IR is walked: the C pickler visits every object at C
    speed and calls back into Python only for ``Prose``.
    """

    def __init__(self) -> None:
        self.found: list[Prose] = []
        self._outer: list[Prose] | None = None

    def __enter__(self) -> list[Prose]:
        self._outer = _collecting.current
        _collecting.current = self.found
        return self.found

    def __exit__(self, *exc_info: object) -> None:
        _collecting.current = self._outer


#: What a cached IR may construct besides the dataclasses of :mod:`forgegen.ir`:
#: the two restore functions.  Anything else in a cache file is refused, so a tampered cache is
#: an error, never code that runs.
_ALLOWED = frozenset(
    {
        ("forgegen.prose", "_restore_prose"),
        ("forgegen.ir", "_restore_type_ref"),
    }
)


class ProseUnpickler(pickle.Unpickler):
    """Loads a pickled IR; each :class:`Prose` gets its text from ``texts[pointer]`` when given.

    Only :mod:`forgegen.ir` classes may be built (see ``_ALLOWED``).
    """

    def __init__(self, data: bytes, texts: Mapping[str, str] | None = None) -> None:
        super().__init__(io.BytesIO(data))
        self._texts = texts

    def find_class(self, module: str, name: str) -> Any:
        if module == "forgegen.ir":
            from . import ir  # noqa: PLC0415 - the IR is what is being loaded

            found = getattr(ir, name, None)
            if (module, name) in _ALLOWED or (
                isinstance(found, type)
                and dataclasses.is_dataclass(found)
                and found.__module__ == module
            ):
                return found
        if (module, name) == ("forgegen.prose", "_restore_prose"):
            texts = self._texts
            if texts is None:
                return _restore_prose
            return lambda text, pointer: Prose(texts.get(pointer, text), pointer)
        raise pickle.UnpicklingError(f"a cached IR may not build {module}.{name}")
