"""The render memo: a file whose IR did not change is not rendered or formatted again.

An operation module is a function of its :class:`~forgegen.ir.Operation` (and
the runtime mode); a model module of the models, enums and aliases placed in
it.  :meth:`RenderMemo.key` is the sha256 of those inputs pickled without a
memo (the IR is frozen dataclasses, strings and tuples; ``TypeRef`` pickles its
sets sorted, so equal IR gives equal bytes in every process).  The memo maps such keys to the
*formatted* text of the file from an earlier run; the generator's own code,
templates and black are part of the store's fingerprint
(:mod:`forgegen.incremental`), so a key can only meet text that the same code
made from the same inputs.  The texts are copied into the package unchecked, so
the memo trusts only what it is given: the store hands over texts from a
snapshot this user's forgegen sealed (:mod:`forgegen.cache_seal`), never from
a file someone else could have written.

Files made from the whole API (the clients, the README, the ``__init__``
modules, the resources) are cheap and always rendered.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Mapping

__all__ = ["RenderMemo"]


class RenderMemo:
    """Formatted texts by input key: what :func:`forgegen.render.render` may reuse."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self._known = dict(known or {})
        #: path -> key of every memoised file of this run (reused or rendered)
        self.keys: dict[str, str] = {}
        #: paths whose text came from the memo: formatted already
        self.reused: set[str] = set()

    @staticmethod
    def key(kind: str, *inputs: object) -> str:
        """The key of one file's inputs (``kind`` names the template that renders them)."""
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=5)
        # No memo: which equal strings happen to be one object differs between a
        # freshly lowered IR and an unpickled one; without back-references the
        # bytes depend on values only.  (The IR is a tree, so nothing recurses.)
        pickler.fast = True
        pickler.dump((kind, inputs))
        return hashlib.sha256(buffer.getbuffer()).hexdigest()

    def lookup(self, path: str, kind: str, *inputs: object) -> str | None:
        """The formatted text of ``path`` made from these inputs before (then ``path`` is
        reused), or ``None``; see :meth:`key` for ``kind`` and ``inputs``."""
        key = self.key(kind, *inputs)
        self.keys[path] = key
        text = self._known.get(key)
        if text is not None:
            self.reused.add(path)
        return text

    def learned(self, files: Mapping[str, str]) -> dict[str, str]:
        """The memo for the next run: key -> formatted text of every memoised file of this one."""
        return {key: files[path] for path, key in sorted(self.keys.items()) if path in files}
