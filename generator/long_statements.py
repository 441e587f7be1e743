"""black for the statements that need it: the over-long ones, many files per black call.

Why: black formats ~4,500 lines/s per core, so running it over the 100k lines
of a GitHub-sized client was ~90 % of a cold generation.  Yet the templates
already emit black's layout -- blank lines, quotes, spacing, exploded argument
lists with trailing commas -- everywhere except where a line comes out longer
than the limit (a long import list, a call with many keyword arguments, a
long type annotation).  Only there does black's output depend on the data.

So for each file this module finds the statements owning an over-long line
(``ast`` gives each statement's line span), copies them -- wrapped in
``if _:`` blocks that restore their indentation depth -- into one scratch
document per batch of files, runs black once on that document, and splices
each statement's formatted lines back in place.  black formats a logical line
without looking at its neighbours (blank lines and docstrings excepted, and
neither is ever isolated here), so the result is byte-for-byte what black
gives on the whole file; ``tests/generator/test_long_statements.py`` compares
the two on real specs (``format_sources(..., exact=True)`` is whole-file black).

A file this module cannot split safely (a long line outside any statement it
can isolate, an indentation that is not four spaces per level, a statement
holding a triple-quoted string) is formatted whole, as before.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .layout import display_width

__all__ = ["IsolatedStatement", "find_long_statements", "format_batch", "is_long"]

_INDENT = "    "
_WRAPPER = "if _:"
# A comment line black keeps as is; it separates the isolated statements.
_MARKER = "# forgegen-isolated-statement-boundary-7f3a"
# One item of an exploded bracket that black cannot split: a name (``x as y``
# in an import) or one string literal, maybe a keyword argument's value, then
# the trailing comma.  With no bracket and no delimiter in it, black leaves it
# as it is however long it is (stable style never splits strings).
_UNSPLITTABLE_ITEM = re.compile(
    r"""\s+(?:[A-Za-z_]\w*=)?"""
    r"""(?:[A-Za-z_][\w.]*(?: as [A-Za-z_]\w*)?|[rRbBfFuU]{0,2}"(?:[^"\\\n]|\\.)*"),"""
)


def is_long(line: str, line_length: int) -> bool:
    """Whether black would find ``line`` (no line break) longer than ``line_length``."""
    return display_width(line) > line_length


@dataclass(frozen=True)
class IsolatedStatement:
    """Lines ``first``..``last`` (0-based, inclusive) of a file: one statement or header.

    ``depth`` is its indentation level; ``header`` marks a compound statement's
    header (``def f(...) -> T:``), which black needs a body for.
    """

    first: int
    last: int
    depth: int
    header: bool


class _UnsplittableError(Exception):
    """The file cannot be split into isolated statements; format it whole."""


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _child_bodies(node: ast.stmt) -> list[list[ast.stmt]]:
    bodies: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    for handler in getattr(node, "handlers", ()) or ():
        bodies.append(handler.body)
    for case in getattr(node, "cases", ()) or ():
        bodies.append(case.body)
    return bodies


def _statement_spans(
    body: Sequence[ast.stmt], lines: Sequence[str]
) -> Iterable[tuple[ast.stmt, int, int, bool]]:
    """(node, first, last, is_header) for every statement and compound header, 0-based."""
    for node in body:
        decorators = getattr(node, "decorator_list", None) or []
        first = min([node.lineno, *(d.lineno for d in decorators)]) - 1
        children = _child_bodies(node)
        if not children:
            last = (node.end_lineno or node.lineno) - 1
            yield node, first, last, False
            continue
        body_start = min(child[0].lineno for child in children) - 1
        last = body_start - 1
        while last > first and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
            last -= 1
        yield node, first, last, True
        for child in children:
            yield from _statement_spans(child, lines)


def find_long_statements(
    lines: Sequence[str], line_length: int, tree: ast.Module
) -> list[IsolatedStatement]:
    """The statements (of ``tree``, parsed from ``lines``) owning a line over ``line_length``.

    Raises :class:`_UnsplittableError` when a long line belongs to no statement this
    module can isolate.
    """
    if all(map(str.isascii, lines)):  # one column per character: len() is the width
        long_lines = {index for index, line in enumerate(lines) if len(line) > line_length}
    else:
        long_lines = {index for index, line in enumerate(lines) if is_long(line, line_length)}
    if not long_lines:
        return []
    found: dict[int, IsolatedStatement] = {}
    covered: set[int] = set()
    for node, first, last, header in _statement_spans(tree.body, lines):
        span = range(first, last + 1)
        hits = long_lines.intersection(span)
        if not hits:
            continue
        if not header and _is_docstring(node):
            # black keeps long docstring lines (and our docstrings close on
            # their own line); a docstring is never isolated.
            covered.update(hits)
            continue
        if lines[first].endswith(("(", "[", "{")) and all(
            index != first and _UNSPLITTABLE_ITEM.fullmatch(lines[index]) for index in hits
        ):
            # An exploded bracket whose only long lines are unsplittable items:
            # black keeps the whole statement as it is.
            covered.update(hits)
            continue
        text = lines[first]
        indent = len(text) - len(text.lstrip(" "))
        if indent % len(_INDENT) or text[indent : indent + 1] == "\t":
            raise _UnsplittableError
        block = "\n".join(lines[first : last + 1])
        if '"""' in block or "'''" in block or "\\\n" in block:
            raise _UnsplittableError
        # A compound statement's header is yielded before its body, so a body
        # statement's hit replaces nothing; an outer simple statement never
        # contains another one.
        found[first] = IsolatedStatement(first, last, indent // len(_INDENT), header)
        covered.update(hits)
    if long_lines - covered:
        raise _UnsplittableError
    return sorted(found.values(), key=lambda statement: statement.first)


def _scratch_piece(lines: Sequence[str], statement: IsolatedStatement) -> list[str]:
    piece = [_INDENT * level + _WRAPPER for level in range(statement.depth)]
    piece.extend(lines[statement.first : statement.last + 1])
    if statement.header:
        piece.append(_INDENT * (statement.depth + 1) + "pass")
    return piece


def _unwrap(piece: list[str], statement: IsolatedStatement) -> list[str]:
    while piece and not piece[0].strip():
        piece.pop(0)
    while piece and not piece[-1].strip():
        piece.pop()
    wrappers = [_INDENT * level + _WRAPPER for level in range(statement.depth)]
    if piece[: statement.depth] != wrappers:
        raise _UnsplittableError
    body = piece[statement.depth :]
    while body and not body[0].strip():  # black's blank lines before a nested def
        body.pop(0)
    if statement.header:
        if not body or body[-1] != _INDENT * (statement.depth + 1) + "pass":
            raise _UnsplittableError
        body = body[:-1]
    if not body:
        raise _UnsplittableError
    return body


@dataclass
class _Plan:
    path: str
    source: str
    lines: list[str]
    statements: list[IsolatedStatement]


def format_batch(
    items: Sequence[tuple[str, str]],
    *,
    line_length: int,
    black_format: Callable[[str], str],
    whole_file: Callable[[str, str], str],
) -> list[tuple[str, str]]:
    """``items`` (path, source) with their long statements black-formatted.

    ``black_format`` formats a scratch document; ``whole_file(source, path)``
    formats a file that cannot be split (and reports syntax errors with the
    path).  Returns (path, text) in the order of ``items``.
    """
    results: dict[str, str] = {}
    plans: list[_Plan] = []
    for path, source in items:
        lines = source.split("\n")
        try:
            tree = ast.parse(source, filename=path)
        except SyntaxError:
            results[path] = whole_file(source, path)  # raises FormatError naming the file
            continue
        try:
            statements = find_long_statements(lines, line_length, tree)
        except _UnsplittableError:
            results[path] = whole_file(source, path)
            continue
        if statements:
            plans.append(_Plan(path, source, lines, statements))
        else:
            results[path] = source
    if plans:
        _format_plans(plans, results, black_format, whole_file)
    return [(path, results[path]) for path, _ in items]


def _format_plans(
    plans: list[_Plan],
    results: dict[str, str],
    black_format: Callable[[str], str],
    whole_file: Callable[[str, str], str],
) -> None:
    scratch: list[str] = []
    for plan in plans:
        for statement in plan.statements:
            scratch.append(_MARKER)
            scratch.extend(_scratch_piece(plan.lines, statement))
    scratch.append(_MARKER)
    try:
        formatted = black_format("\n".join(scratch) + "\n").split("\n")
    except Exception:  # one bad statement: fall back file by file, naming the file
        for plan in plans:
            results[plan.path] = whole_file(plan.source, plan.path)
        return
    pieces: list[list[str]] = []
    for line in formatted:
        if line == _MARKER:
            pieces.append([])
        elif pieces:
            pieces[-1].append(line)
    if len(pieces) != sum(len(plan.statements) for plan in plans) + 1:
        # A boundary went missing: the pieces cannot be told apart.
        for plan in plans:
            results[plan.path] = whole_file(plan.source, plan.path)
        return
    position = 0
    for plan in plans:
        mine = pieces[position : position + len(plan.statements)]
        position += len(plan.statements)
        try:
            replaced = list(plan.lines)
            for statement, piece in reversed(list(zip(plan.statements, mine, strict=True))):
                replaced[statement.first : statement.last + 1] = _unwrap(piece, statement)
            results[plan.path] = "\n".join(replaced)
        except _UnsplittableError:
            results[plan.path] = whole_file(plan.source, plan.path)
