"""Source positions: which line of a file a JSON pointer points at.

Loading does not keep positions -- ``json.loads`` and libyaml's constructor are
fast precisely because they build plain dicts.  A map from pointer to line is
only needed when something is reported, so :class:`LineMap` builds it lazily,
on the first :meth:`LineMap.line_of`, with a second, position-aware pass over
the text:

* YAML: ``yaml.compose`` (libyaml when present) gives nodes with marks;
* JSON: a regex tokenizer that tracks the pointer of every key and container.

The second pass costs about a second on a 4 MB spec; the happy path never pays
it.  A pointer that does not exist in the source (it was created by
normalisation, or comes from a YAML merge key) resolves to its nearest
ancestor that does.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import yaml

from .diagnostics import escape_pointer_token

__all__ = ["LineMap", "parent_pointer"]

_YAML_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A JSON token: a string, a bracket, or a scalar (number / true / false / null).
# Commas and colons are skipped: the state machine knows where keys are.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]]|[^\s{}\[\],:"]+')


def parent_pointer(pointer: str) -> str | None:
    """``"#/a/b"`` -> ``"#/a"``; ``None`` for the root."""
    if pointer in ("", "#"):
        return None
    head, _, _ = pointer.rpartition("/")
    return head or "#"


class LineMap:
    """Pointer -> 1-based line for one source text, computed on first use."""

    def __init__(self, text: str, *, is_json: bool) -> None:
        self._text = text
        self._is_json = is_json
        self._lines: dict[str, int] | None = None
        self._lock = threading.Lock()

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor present in the source."""
        lines = self._build()
        current: str | None = pointer or "#"
        while current is not None:
            line = lines.get(current)
            if line is not None:
                return line
            current = parent_pointer(current)
        return None

    def _build(self) -> dict[str, int]:
        with self._lock:
            if self._lines is None:
                try:
                    if self._is_json:
                        self._lines = _json_lines(self._text)
                    else:
                        self._lines = _yaml_lines(self._text)
                except (yaml.YAMLError, ValueError, RecursionError):
                    # The text loaded once, so this is not expected; positions are
                    # a convenience and never turn a report into a crash.
                    self._lines = {}
            return self._lines


def _json_lines(text: str) -> dict[str, int]:
    lines: dict[str, int] = {"#": 1}
    # One frame per open container: [pointer, is_object, next_index, key_pointer].
    # key_pointer is the pointer of the member whose value comes next (objects),
    # or None while a key is expected.
    stack: list[list[Any]] = []
    line = 1
    last = 0
    count = text.count
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        line += count("\n", last, start)
        last = start
        token = match.group()
        first = token[0]
        if first in "]}":
            stack.pop()
            if stack and stack[-1][1]:
                stack[-1][3] = None
            continue
        top = stack[-1] if stack else None
        if top is not None and top[1] and top[3] is None:
            # An object key.
            key = json.loads(token) if "\\" in token else token[1:-1]
            pointer = top[0] + "/" + escape_pointer_token(key)
            top[3] = pointer
            lines[pointer] = line
            continue
        # A value: its pointer is the pending key's, or the next array index.
        if top is None:
            pointer = "#"
        elif top[1]:
            pointer = top[3]
            top[3] = None
        else:
            pointer = f"{top[0]}/{top[2]}"
            top[2] += 1
        if first in "{[":
            lines.setdefault(pointer, line)
            stack.append([pointer, first == "{", 0, None])
        # Scalars: a member value has its key's line; array items fall back to the array.
    return lines


def _yaml_lines(text: str) -> dict[str, int]:
    root = yaml.compose(text, Loader=_YAML_COMPOSER)
    lines: dict[str, int] = {"#": 1}
    if root is None:
        return lines
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, str]] = [(root, "#")]
    while stack:
        node, pointer = stack.pop()
        if id(node) in seen:  # an alias: the anchor's subtree was already mapped
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue
                child = pointer + "/" + escape_pointer_token(key_node.value)
                lines.setdefault(child, key_node.start_mark.line + 1)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = f"{pointer}/{index}"
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))
    return lines
