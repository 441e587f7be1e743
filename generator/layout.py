"""Line layout the templates choose themselves, so that black has nothing to redo.

black is a no-op on a line that fits, and it keeps a bracket exploded one item
per line when the last item has a trailing comma (the "magic trailing comma").
So a call or import is written on one line when it fits in
:data:`LINE_LENGTH` columns and exploded with a trailing comma otherwise: both
are black's fixed points, and neither needs black to run
(:mod:`forgegen.long_statements` formats only what is still too long).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["LINE_LENGTH", "display_width", "fits", "import_line", "layout_call"]

#: black's line length for generated code (see :func:`forgegen.formatting.black_mode`).
LINE_LENGTH = 100
_INDENT = "    "


def display_width(text: str) -> int:
    """Columns black counts for ``text``: wide East Asian characters count two."""
    if text.isascii():
        return len(text)
    from black.strings import str_width  # noqa: PLC0415 -- black loads only when needed

    return int(str_width(text))


def fits(text: str, indent: int) -> bool:
    """Whether ``text`` at ``indent`` columns fits black's line length."""
    return indent + display_width(text) <= LINE_LENGTH


def layout_call(
    head: str, args: Sequence[str], tail: str = "", indent: int = 0, brackets: str = "()"
) -> str:
    """``head(arg, ...)tail`` on one line if it fits, else one argument per line.

    The exploded form is indented for a line starting at ``indent`` columns;
    its first line carries no indentation (the template writes it).
    ``brackets`` is ``"()"``, ``"[]"`` or ``"{}"``.
    """
    opening, closing = brackets[0], brackets[1]
    one_line = f"{head}{opening}{', '.join(args)}{closing}{tail}"
    if not args or fits(one_line, indent):
        return one_line
    inner = " " * indent + _INDENT
    body = "".join(f"{inner}{arg},\n" for arg in args)
    return f"{head}{opening}\n{body}{' ' * indent}{closing}{tail}"


def import_line(module: str, names: Sequence[str], indent: int = 0) -> str:
    """``from module import names``, exploded one name per line when too long (as black does).

    Like :func:`layout_call`, the first line carries no indentation.
    """
    one_line = f"from {module} import {', '.join(names)}"
    if fits(one_line, indent):
        return one_line
    inner = " " * indent + _INDENT
    body = "".join(f"{inner}{name},\n" for name in names)
    return f"from {module} import (\n{body}{' ' * indent})"
