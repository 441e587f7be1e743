"""Source positions: which line of a file a JSON pointer points at.

Loading does not keep positions -- ``json.loads`` and libyaml's constructor are
fast precisely because they build plain dicts.  A map from pointer to line is
only needed when something is reported, so :class:`LineMap` builds it lazily,
on the first :meth:`LineMap.line_of`, with a second, position-aware pass over
the text:

* YAML: ``yaml.compose`` (libyaml when present) gives nodes with marks;
* JSON: the first few lookups walk straight down the pointer's path, skipping
  every other member with the C JSON decoder (milliseconds, even on GitHub's
  10 MB document); after that a regex tokenizer maps every key and container
  once (~0.4 s on GitHub), so many reports do not each pay a walk.

The full pass costs about a second on a 4 MB YAML spec; the happy path never
pays it.  A pointer that does not exist in the source (it was created by
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

    #: JSON lookups answered by a walk down the path before the full map is built.
    WALKS = 8

    def __init__(self, text: str, *, is_json: bool) -> None:
        self._text = text
        self._is_json = is_json
        self._lines: dict[str, int] | None = None
        self._lock = threading.Lock()
        self._walks = 0

    def line_of(self, pointer: str) -> int | None:
        """The line of ``pointer``, or of its nearest ancestor present in the source."""
        if self._is_json and self._lines is None:
            with self._lock:
                walk = self._walks < self.WALKS
                self._walks += 1
            if walk:
                try:
                    return _json_walk(self._text, pointer or "#")
                except (ValueError, IndexError, RecursionError):
                    pass  # fall back to the full map
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


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _past_whitespace(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _json_walk(text: str, pointer: str) -> int:
    """The line of ``pointer`` (or its deepest ancestor present), walking only its path.

    A member's line is its key's; an array item's is where the item starts.
    Members and items off the path are skipped whole by the C decoder.
    """
    tokens = [] if pointer == "#" else pointer.removeprefix("#/").split("/")
    position = _past_whitespace(text, 0)
    found = 1
    for raw in tokens:
        token = _unescape_pointer_token(raw)
        opening = text[position : position + 1]
        if opening == "{":
            located = _object_member(text, position, token)
        elif opening == "[" and token.isdigit():
            located = _array_item(text, position, int(token))
        else:
            located = None
        if located is None:
            break
        line_at, position = located
        found = text.count("\n", 0, line_at) + 1
    return found


def _skip(text: str, position: int, expected: str) -> int:
    position = _past_whitespace(text, position)
    if text[position : position + 1] != expected:
        raise ValueError(f"expected {expected!r} at {position}")
    return _past_whitespace(text, position + 1)


def _object_member(text: str, position: int, key: str) -> tuple[int, int] | None:
    """(key offset, value offset) of ``key`` in the object at ``position``."""
    position = _skip(text, position, "{")
    while text[position : position + 1] == '"':
        match = _JSON_STRING.match(text, position)
        if match is None:
            raise ValueError(f"bad key at {position}")
        raw = match.group()
        name = json.loads(raw) if "\\" in raw else raw[1:-1]
        value_at = _skip(text, match.end(), ":")
        if name == key:
            return position, value_at
        _, end = _DECODER.raw_decode(text, value_at)
        position = _past_whitespace(text, end)
        if text[position : position + 1] != ",":
            return None
        position = _past_whitespace(text, position + 1)
    return None


def _array_item(text: str, position: int, index: int) -> tuple[int, int] | None:
    """(item offset, item offset) of item ``index`` in the array at ``position``."""
    position = _skip(text, position, "[")
    for _ in range(index):
        if text[position : position + 1] == "]":
            return None
        _, end = _DECODER.raw_decode(text, position)
        position = _past_whitespace(text, end)
        if text[position : position + 1] != ",":
            return None
        position = _past_whitespace(text, position + 1)
    if text[position : position + 1] in ("]", ""):
        return None
    return position, position


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
        # A member value has its key's line already; an array item gets its own.
        lines.setdefault(pointer, line)
        if first in "{[":
            stack.append([pointer, first == "{", 0, None])
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
