"""Load one spec file (YAML or JSON) into plain Python data, safely.

A spec is untrusted input, so:

* YAML is read with PyYAML's *safe* loader (libyaml's ``CSafeLoader`` when
  available: ~4x faster on a 3 MB spec), never the full loader.  Tags outside
  the JSON data model are refused with the file and line: ``!!python/...``
  (which the full loader would execute), custom ``!Tags``, ``!!binary``,
  ``!!set``, ``!!omap``, ``!!pairs``.
* YAML timestamps (``2020-01-01``) stay strings: an OpenAPI document is JSON
  data, and a ``date`` object in an example or default is never what was meant.
* Size is bounded by :class:`~forgegen.limits.Limits` (the ones in effect,
  :func:`~forgegen.limits.current_limits`), each checked before the work it
  bounds: the file's bytes before it is read (at most the limit plus one byte
  is ever read, so a FIFO or a device cannot stall it); a large YAML text's
  nodes event by event before libyaml composes it (composing costs ~200 bytes
  of memory per node, so a dense 16 MB file would take gigabytes); a JSON
  text's nodes by an upper bound that costs a few ``str.count`` calls, walked
  exactly only when that bound is too high.
* YAML aliases may share a subtree many times; a document whose aliases expand
  past ``max_nodes`` (the "billion laughs" shape, or merely many aliases of a
  big schema), or that contains itself, is refused before anything walks it.
* Unquoted YAML keys such as ``200:`` load as ints; they are kept, and
  ``normalize`` turns them into strings with a warning naming the pointer.

The format is the extension's (``.json``; ``.yaml``, ``.yml``) and, for any
other name, the content's: text whose first non-blank character is ``{`` or
``[`` is JSON, anything else YAML.  JSON-looking text is always tried as JSON
first (much faster than YAML).  Leniency stays where it helps: near-JSON that
only YAML reads (comments, trailing commas), and a YAML spec saved as
``.json``, are read when YAML finds a mapping in them.  A syntax error is
reported in the terms of the format the file is: a broken ``.json`` file is
invalid JSON (never "a str", which is what YAML makes of most garbage), a
broken ``.yaml`` file invalid YAML even when it is written in flow style.

Every failure is a :class:`~forgegen.diagnostics.SpecError` with the file and,
when known, the line (and for a syntax error, the column).  Source positions
for later errors come from :class:`~forgegen.positions.LineMap`, built only
when someone asks.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .diagnostics import SpecError
from .limits import Limits, count_nodes, current_limits
from .positions import LineMap

__all__ = ["LoadedDocument", "load_document", "parse_text"]

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG_PREFIX = "tag:yaml.org,2002:"


class _SpecLoader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, minus the tags that produce non-JSON data."""


def _refuse_tag(loader: Any, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"found unsupported tag {node.tag!r}", node.start_mark
    )


#: The booleans of YAML 1.2 (and JSON).  PyYAML reads YAML 1.1, where ``yes``,
#: ``no``, ``on`` and ``off`` are booleans too: an enum ``[new, active, off]``
#: would hold ``False``, and its client reject the server's ``"off"``.
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOLEANS["FALSE"] = False


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool | str:
    """A YAML 1.2 boolean, or the scalar as written (``off`` stays ``"off"``)."""
    value = str(node.value)
    return _BOOLEANS.get(value, value)


_SpecLoader.add_constructor(_YAML_TAG_PREFIX + "bool", _construct_bool)
_SpecLoader.add_constructor(
    _YAML_TAG_PREFIX + "timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)
for _tag in ("binary", "set", "omap", "pairs"):
    _SpecLoader.add_constructor(_YAML_TAG_PREFIX + _tag, _refuse_tag)


@dataclass(frozen=True)
class LoadedDocument:
    """One file's data, where it came from, and a lazy pointer -> line map.

    ``name`` is the path as it should appear in messages: as the user gave it
    for the main spec, and joined onto that for files reached through ``$ref``.
    ``path`` is the resolved absolute path (the identity of the file).
    """

    path: Path
    name: str
    data: Any
    format: Literal["json", "yaml"]
    sha256: str
    lines: LineMap = field(repr=False, compare=False)

    def line_of(self, pointer: str) -> int | None:
        """1-based line of ``pointer`` (or its nearest ancestor) in this file."""
        return self.lines.line_of(pointer)


def load_document(path: str | os.PathLike[str], *, name: str | None = None) -> LoadedDocument:
    """Read and parse ``path``; ``name`` overrides how the file is named in messages."""
    display = name if name is not None else os.fspath(path)
    limit = current_limits().max_file_bytes
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limit + 1)
    except FileNotFoundError:
        raise SpecError("file not found", file=display) from None
    except IsADirectoryError:
        raise SpecError("is a directory, not a spec file", file=display) from None
    except OSError as error:
        raise SpecError(f"cannot read file: {error.strerror or error}", file=display) from None
    data, text, kind = parse_text(raw, display)
    return LoadedDocument(
        path=Path(path).resolve(),
        name=display,
        data=data,
        format=kind,
        sha256=hashlib.sha256(raw).hexdigest(),
        lines=LineMap(text, is_json=kind == "json"),
    )


def parse_text(raw: bytes, name: str) -> tuple[Any, str, Literal["json", "yaml"]]:
    """Decode and parse ``raw``: ``(data, text, "json" | "yaml")``; ``name`` is for messages.

    The limits in effect bound the work: see the module docstring.
    """
    limits = current_limits()
    if len(raw) > limits.max_file_bytes:
        what = f"the file is larger than {limits.max_file_bytes:,} bytes"
        raise SpecError(limits.refusal("max_file_bytes", what), file=name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SpecError("not UTF-8 text", file=name, line=line) from None
    looks_like_json = text.lstrip()[:1] in ("{", "[")
    declared = _declared_format(name)
    if declared == "json" or (declared is None and looks_like_json):
        return _load_json(text, name, limits)
    if looks_like_json:  # YAML in flow style, or JSON named .yaml: JSON is much faster
        try:
            return _load_json(text, name, limits, yaml_fallback=False)
        except SpecError:
            pass  # a syntax error is reported as YAML's, what the file says it is
    return _load_yaml(text, name, limits), text, "yaml"


def _declared_format(name: str) -> Literal["json", "yaml"] | None:
    """The format the file's extension names (a URL's query and fragment aside), if any."""
    path = name.split("#", 1)[0].split("?", 1)[0]
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    return None


def _load_json(
    text: str, name: str, limits: Limits, *, yaml_fallback: bool = True
) -> tuple[Any, str, Literal["json", "yaml"]]:
    """``text`` as JSON, or, with ``yaml_fallback``, as a YAML mapping.

    YAML reads near-JSON (comments, trailing commas) and a YAML spec saved
    under a ``.json`` name; such a file is accepted when YAML finds a mapping
    in it.  Anything else is reported as JSON's syntax error, with line and
    column: YAML makes a plain string of most garbage, and "the file is a str"
    would not tell the user what is wrong with a ``.json`` file.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as json_error:
        if yaml_fallback:
            try:
                data = _load_yaml(text, name, limits)
            except SpecError:
                data = None
            if isinstance(data, dict):
                return data, text, "yaml"
        raise SpecError(
            f"invalid JSON: {json_error.msg}",
            file=name,
            line=json_error.lineno,
            column=json_error.colno,
        ) from None
    except RecursionError:
        raise SpecError("JSON nested too deeply", file=name) from None
    except ValueError as error:  # e.g. an integer past Python's digit limit
        raise SpecError(f"invalid JSON: {error}", file=name) from None
    # The bound costs milliseconds; only past it are the nodes counted.
    too_many = limits.max_nodes
    if _json_nodes_at_most(text) > too_many and count_nodes(data, too_many) > too_many:
        raise _too_many_nodes(limits, name)
    return data, text, "json"


def _json_nodes_at_most(text: str) -> int:
    """An upper bound on the values in JSON ``text``, at the speed of ``str.count``.

    A container of n > 0 values holds n - 1 commas, so the values number at most
    one (the root) plus the commas plus the containers; commas and brackets
    inside strings only loosen the bound (GitHub: 79,628 for 71,518 values).
    """
    return 1 + text.count(",") + text.count("[") + text.count("{")


def _too_many_nodes(limits: Limits, name: str) -> SpecError:
    what = f"the document has more than {limits.max_nodes:,} nodes"
    return SpecError(limits.refusal("max_nodes", what), file=name)


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def _yaml_nodes_composed(text: str, stop: int) -> int:
    """The nodes (keys included) libyaml would compose from ``text``, counted up to ``stop + 1``.

    Parsing events costs ~0.1 s for a 3 MB spec and no memory; composing holds
    every node at once.  Malformed YAML ends the count early: loading it
    reports the error properly.
    """
    parser = _BaseLoader(text)
    count = 0
    try:
        while parser.check_event():
            if isinstance(parser.get_event(), _NODE_EVENTS):
                count += 1
                if count > stop:
                    break
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return count


def _load_yaml(text: str, name: str, limits: Limits) -> Any:
    composed = 0
    # No YAML found holds more than one node (keys included) per character --
    # ``{?,?}`` is the densest -- so a text under half the limit cannot hold
    # too many; a longer one is counted before it is composed.
    if len(text) > limits.max_nodes // 2:
        # Every value but the root has a key or a list slot, and keys are at most
        # as many as values: more than twice the limit in nodes is too many values.
        composed = _yaml_nodes_composed(text, 2 * limits.max_nodes)
        if composed > 2 * limits.max_nodes:
            raise _too_many_nodes(limits, name)
    try:
        data = yaml.load(text, Loader=_SpecLoader)  # noqa: S506 -- a safe loader subclass
    except yaml.constructor.ConstructorError as error:
        line, column = _mark_place(error)
        raise SpecError(_tag_message(error), file=name, line=line, column=column) from None
    except yaml.MarkedYAMLError as error:
        problem = error.problem or "malformed YAML"
        context = f" ({error.context})" if error.context else ""
        line, column = _mark_place(error)
        raise SpecError(
            f"invalid YAML: {problem}{context}", file=name, line=line, column=column
        ) from None
    except yaml.YAMLError as error:
        raise SpecError(f"invalid YAML: {error}", file=name) from None
    except RecursionError:
        raise SpecError("YAML nested too deeply", file=name) from None
    except ValueError as error:  # e.g. an integer past Python's digit limit
        raise SpecError(f"invalid YAML: {error}", file=name) from None
    if "&" in text:  # anchors exist, so aliases may share (or contain) subtrees
        _check_aliases(data, name, limits)
    elif composed > limits.max_nodes and count_nodes(data, limits.max_nodes) > limits.max_nodes:
        raise _too_many_nodes(limits, name)
    return data


def _mark_place(error: yaml.MarkedYAMLError) -> tuple[int | None, int | None]:
    """1-based line and column of the error (PyYAML's marks count from 0)."""
    mark = error.problem_mark or error.context_mark
    return (None, None) if mark is None else (mark.line + 1, mark.column + 1)


def _tag_message(error: yaml.constructor.ConstructorError) -> str:
    problem = error.problem or ""
    tag = problem.split("'")[1] if problem.count("'") >= 2 else problem
    if tag.startswith(_YAML_TAG_PREFIX):
        tag = "!!" + tag[len(_YAML_TAG_PREFIX) :]
    return (
        f"YAML tag {tag!r} is not allowed: a spec is read as plain data "
        "(mappings, lists, strings, numbers, booleans, null)"
    )


def _check_aliases(data: Any, name: str, limits: Limits) -> None:
    """Refuse self-containing data and alias bombs, in one pass over distinct nodes."""
    if not isinstance(data, (dict, list)):
        return
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        key = id(node)
        if finished:
            on_path.discard(key)
            size = 1 + sum(sizes.get(id(child), 1) for child in children)
            if size > limits.max_nodes:
                what = (
                    f"the document expands to more than {limits.max_nodes:,} nodes "
                    "through YAML aliases"
                )
                raise SpecError(limits.refusal("max_nodes", what), file=name)
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise SpecError("YAML aliases make the document contain itself", file=name)
        on_path.add(key)
        stack.append((node, True))
        for child in children:
            if isinstance(child, (dict, list)) and id(child) not in sizes:
                stack.append((child, False))
