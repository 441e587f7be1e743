"""JSON values as Python literal source text (defaults, enum values, ``Literal[...]``).

``repr`` is not enough: ``repr(float("nan"))`` is ``nan``, which is a name, not
a literal; ``repr`` of a dict holding such a float is broken too; and the
quote style ``repr`` picks depends on the content.  This writer produces, for
any JSON value, source that ``ast.literal_eval`` turns back into an equal
value -- except NaN and the infinities (JSON cannot hold them, YAML can), which
become the expressions ``float("nan")``/``float("inf")`` -- with one quoting
rule:

* strings use double quotes (what black would choose anyway, so formatting
  does not rewrite them);
* ``\\``, ``"`` and every non-printable character (newlines, tabs, NUL,
  U+2028, lone surrogates from JSON ``"\\ud800"``...) are escaped, so the
  literal is one line and encodes to UTF-8; printable non-ASCII text stays
  readable.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["python_literal", "string_literal"]

_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(char: str) -> str:
    simple = _SIMPLE_ESCAPES.get(char)
    if simple is not None:
        return simple
    if char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF:
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def string_literal(text: str) -> str:
    """``text`` as a double-quoted, single-line Python string literal."""
    return '"' + "".join(_escape_char(char) for char in text) + '"'


def python_literal(value: Any) -> str:
    """Python source for a JSON value (``None``, bools, numbers, strings, lists, dicts).

    Raises ``TypeError`` for anything else (callers pass parsed JSON/YAML only).
    """
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(python_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (
            f"{python_literal(str(key))}: {python_literal(item)}" for key, item in value.items()
        )
        return "{" + ", ".join(items) + "}"
    # Dates and datetimes come from YAML's implicit timestamps: keep their text.
    if hasattr(value, "isoformat"):
        return string_literal(str(value.isoformat()))
    raise TypeError(f"not a JSON value: {type(value).__name__}")
