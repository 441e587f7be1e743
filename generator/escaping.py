"""The only way spec text reaches generated code: explicit, tested escaping filters.

A spec is untrusted input.  Templates never print a raw string from it; they
pass it through one of these filters, each of which produces text that is
valid in exactly one syntactic position and means exactly the input there:

* :func:`py_str` -- a Python string literal (``"..."``);
* :func:`docstring` -- the *body* of a triple-quoted docstring;
* :func:`comment` -- the text after ``#`` on one line;
* :func:`identifier` -- a name the IR already validated (checked again here);
* :func:`py_literal` -- a Python literal the IR wrote (``"'sold'"``, ``"10"``),
  re-parsed and re-written so it cannot smuggle code;
* :func:`markdown` -- text for the generated README (no raw HTML, no fences).
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
import unicodedata

__all__ = [
    "comment",
    "docblock",
    "docstring",
    "identifier",
    "markdown",
    "markdown_prose",
    "py_literal",
    "py_str",
]

_SIMPLE_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


# Printable ASCII other than ``"`` and ``\``: the same in every escaping below,
# so text made only of it (nearly all spec prose) skips the per-character path.
_PLAIN = re.compile(r"[ !#-\[\]-~]*")
_NOT_PLAIN = re.compile(r"[^ !#-\[\]-~]")


@functools.lru_cache(maxsize=4096)
def _escape_char(char: str) -> str:
    if char in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate cannot be written as UTF-8
        return f"\\u{code:04x}"
    category = unicodedata.category(char)
    # Control, format (bidi overrides!), separators other than space, unassigned, private use.
    if category[0] in ("C", "Z") and char != " ":
        if code <= 0xFF:
            return f"\\x{code:02x}"
        if code <= 0xFFFF:
            return f"\\u{code:04x}"
        return f"\\U{code:08x}"
    return char


def py_str(value: object) -> str:
    """``value`` (a ``str``) as a double-quoted Python string literal.

    Quotes, backslashes, line breaks, NUL, other control and invisible
    characters and lone surrogates are escaped; other Unicode is kept readable.
    """
    if not isinstance(value, str):
        raise TypeError(f"py_str expects a str, got {type(value).__name__}")
    if _PLAIN.fullmatch(value):
        return f'"{value}"'
    return '"' + _NOT_PLAIN.sub(lambda match: _escape_char(match.group()), value) + '"'


_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _normalise_lines(text: str) -> list[str]:
    return _LINE_BREAKS.sub("\n", text).split("\n")


def _docstring_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == '"':
        return char
    if 0xD800 <= ord(char) <= 0xDFFF:
        # A lone surrogate in a docstring's *value* breaks tools that encode it
        # (class creation, pydoc): it is shown as its escape text instead.
        return f"\\\\u{ord(char):04x}"
    return _escape_char(char)


def _docstring_line(raw: str, *, last_line: bool) -> str:
    """One docstring line, escaped character by character where it is not plain ASCII."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char != '"':
            return _docstring_char(char)
        index = match.start()
        # A quote right after another, or closing the last line, would end the string.
        if (index > 0 and raw[index - 1] == '"') or (last_line and index == len(raw) - 1):
            return '\\"'
        return char

    return _NOT_PLAIN.sub(escape, raw)


def docstring(value: object, indent: str = "") -> str:
    """``value`` as the body of a ``\"\"\"...\"\"\"`` docstring.

    Line breaks of every kind become ``\\n``; each following line is prefixed
    with ``indent``; backslashes and control characters are escaped, and a lone
    surrogate becomes the visible text ``\\udXXX``.  ``\"\"\"`` cannot appear:
    a ``"`` right after another ``"`` is escaped, and so is a final ``"``, so
    the closing quotes stay closing.
    Trailing whitespace is dropped and, as black does, a space separates a
    ``"`` at either end from the triple quotes, so black has nothing to change.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"docstring expects a str, got {type(value).__name__}")
    return _docstring(value, indent)


@functools.lru_cache(maxsize=8192)
def _docstring(value: str, indent: str) -> str:
    """:func:`docstring`'s work, cached: an operation's description is the
    docstring of its four functions, its resource entry and its README line."""
    raw_lines = [line.replace("\t", "    ").rstrip() for line in _normalise_lines(value.strip())]
    while raw_lines and not raw_lines[-1]:
        raw_lines.pop()
    lines = []
    for number, raw in enumerate(raw_lines):
        last_line = number == len(raw_lines) - 1
        if _PLAIN.fullmatch(raw):
            lines.append(raw)
        else:
            lines.append(_docstring_line(raw, last_line=last_line))
    body = "\n".join(indent + line if index and line else line for index, line in enumerate(lines))
    if body.startswith('"'):
        body = " " + body
    if body.endswith('"'):
        body += " "
    return body


def docblock(value: object, indent: str = "") -> str:
    """:func:`docstring`, with the closing quotes on their own line when it spans lines."""
    body = docstring(value, indent)
    # On its own line the closing quotes need no padding space before them.
    return f"{body.rstrip(' ')}\n{indent}" if "\n" in body else body


def comment(value: object) -> str:
    """``value`` as the text of one ``#`` comment line: no line break can end it."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"comment expects a str, got {type(value).__name__}")
    text = " ".join(part.strip() for part in _normalise_lines(value))
    return "".join(
        char if _escape_char(char) == char or char in '\\"' else _escape_char(char) for char in text
    ).strip()


def identifier(value: object) -> str:
    """A Python identifier from the IR, checked: never a keyword, never anything else."""
    if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
        raise ValueError(f"not a valid Python identifier: {value!r}")
    return value


_SPECIAL_FLOATS = frozenset({"nan", "inf", "-inf", "+inf", "infinity", "-infinity"})


def _safe_literal_node(node: ast.AST) -> bool:
    """Literal data, ``float("nan")``-style specials, and ``Enum.MEMBER`` references."""
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, (bool, int, float, complex, str, bytes))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return isinstance(node.operand, ast.Constant) and isinstance(
            node.operand.value, (int, float)
        )
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(_safe_literal_node(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(
            key is not None and _safe_literal_node(key) and _safe_literal_node(value)
            for key, value in zip(node.keys, node.values, strict=True)
        )
    if isinstance(node, ast.Call):
        return (
            isinstance(node.func, ast.Name)
            and node.func.id == "float"
            and not node.keywords
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and node.args[0].value.lower() in _SPECIAL_FLOATS
        )
    if isinstance(node, ast.Attribute):  # an enum member: ``PetStatus.AVAILABLE``
        return (
            isinstance(node.value, ast.Name)
            and not keyword.iskeyword(node.value.id)
            and not node.attr.startswith("__")
        )
    return False


def py_literal(source: object) -> str:
    """A Python literal the IR wrote as source, checked to be nothing but data.

    Accepted: ``None``, booleans, numbers, strings, bytes, lists, tuples, sets
    and dicts of them, ``float("nan")``/``float("inf")``, and enum member
    references (``PetStatus.AVAILABLE``).  Anything else -- a call, a bare name,
    an f-string, an operator -- is a ``ValueError``.
    """
    if not isinstance(source, str):
        raise TypeError(f"py_literal expects a str, got {type(source).__name__}")
    return _checked_literal(source)


@functools.lru_cache(maxsize=16384)
def _checked_literal(source: str) -> str:
    # Cached like annotations: the same defaults and enum values recur across a spec.
    if any(char in source for char in "\r\n\x00"):
        raise ValueError(f"a literal must be one line: {source!r}")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a Python literal: {source!r}") from exc
    if not _safe_literal_node(tree.body):
        raise ValueError(f"not a Python literal: {source!r}")
    return source.strip()


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")
_RAW_HTML = re.compile(r"([<>])")


def _markdown_lines(value: object, *, escaped: re.Pattern[str], keep_indent: bool) -> str:
    """Spec text line by line: control characters dropped, ``escaped`` characters escaped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"Markdown filters expect a str, got {type(value).__name__}")
    lines = []
    for line in _normalise_lines(value.strip()):
        clean = escaped.sub(r"\\\1", "".join(c for c in line if _escape_char(c) == c))
        lines.append(clean.rstrip() if keep_indent else clean.strip())
    return "\n".join(lines)


def markdown(value: object) -> str:
    """Spec text as inline Markdown: special characters escaped, one paragraph per blank line."""
    return _markdown_lines(value, escaped=_MARKDOWN_SPECIAL, keep_indent=False)


def markdown_prose(value: object) -> str:
    """Spec prose for a README, kept as the Markdown it is.

    OpenAPI descriptions are CommonMark by the OpenAPI specification, so links,
    lists and emphasis are rendered, not escaped.  Raw HTML is neutralised
    (``<``/``>`` escaped: a spec must not inject markup into the reader's
    renderer) and control characters dropped; indentation is kept for lists and
    code blocks.  Titles and one-line summaries use :func:`markdown` instead,
    where markup could break the surrounding heading or table.
    """
    return _markdown_lines(value, escaped=_RAW_HTML, keep_indent=True)
