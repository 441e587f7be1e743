"""Warnings as a reader can take them in: grouped by kind, counted, summed up.

A vendor's document can yield hundreds of warnings that say the same thing
about different places (the same unknown format, the same unused path
parameter).  Printed one per line they bury the one warning that differs, so
the command line groups them: warnings whose messages are equal once the names,
numbers and pointers in them are blanked out are one *kind*, shown with its
count and its first few places; ``--verbose`` lists every one.

Grouping is presentation only: :attr:`GenerationResult.warnings` keeps each
warning, and ``--strict`` counts each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .diagnostics import Diagnostic

__all__ = ["WarningGroup", "group_warnings", "report_lines", "warning_kind"]

#: How many places of one kind are shown before the rest is counted.
SHOWN_PER_KIND = 3

# What varies between warnings of one kind: quoted text, placeholders,
# pointers and numbers.  Quotes first, so a number inside a name goes with it.
_VARIABLE = re.compile(
    r"""'(?:[^'\\]|\\.)*'"""  # 'quoted'
    r'''|"(?:[^"\\]|\\.)*"'''  # "quoted"
    r"|\{[^{}\s]*\}"  # {placeholder}
    r"|#/\S*"  # a JSON pointer
    r"|\b\d[\d,._]*\b"  # 42, 1,000, 3.1
)


def warning_kind(message: str) -> str:
    """``message`` with its names, numbers and pointers blanked: what warnings of one kind share."""
    return _VARIABLE.sub("…", message)


@dataclass(frozen=True)
class WarningGroup:
    """Warnings of one kind, in the order they were found."""

    kind: str
    warnings: tuple[Diagnostic, ...]


def group_warnings(warnings: Iterable[Diagnostic]) -> list[WarningGroup]:
    """``warnings`` grouped by kind, groups in the order of their first warning."""
    groups: dict[str, list[Diagnostic]] = {}
    for warning in warnings:
        groups.setdefault(warning_kind(warning.message), []).append(warning)
    return [WarningGroup(kind, tuple(members)) for kind, members in groups.items()]


def report_lines(warnings: list[Diagnostic], *, verbose: bool, label: str) -> Iterator[str]:
    """The lines to print for ``warnings`` (each already prefixed with ``label``).

    A kind seen once is its warning on one line, as it always was.  A kind seen
    more often is a header with its count, then its first
    :data:`SHOWN_PER_KIND` warnings (every one with ``verbose``) and how many
    more there are.  The last line sums up.
    """
    if not warnings:
        return
    groups = group_warnings(warnings)
    hidden = 0
    for group in groups:
        if len(group.warnings) == 1:
            yield f"{label}{group.warnings[0]}"
            continue
        yield f"{label}{len(group.warnings)} x {group.kind}"
        shown = group.warnings if verbose else group.warnings[:SHOWN_PER_KIND]
        for warning in shown:
            yield f"  {warning}"
        rest = len(group.warnings) - len(shown)
        if rest:
            hidden += rest
            yield f"  ... and {rest} more"
    count, kinds = len(warnings), len(groups)
    summary = (
        f"{count} warning{'s' if count != 1 else ''} of {kinds} kind{'s' if kinds != 1 else ''}"
    )
    if hidden:
        summary += f"; {hidden} not shown (--verbose lists every one)"
    yield f"forgegen: {summary}"
