"""``DateOrDateTime``: a value the spec allows to be a date or a date-time, read as what it is.

``anyOf: [{format: date-time}, {format: date}]`` is ``datetime | date``, and
pydantic reads a string into that union by trying each member leniently from
Python data: ``datetime`` accepts ``"2020-01-01"`` as midnight, so a date the
server sent would be dumped back as a date-time.  A calendar date string is
therefore made a ``date`` first; everything else is left to the union.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, TypeAlias

from pydantic import BeforeValidator

__all__ = ["DateOrDateTime"]

_CALENDAR_DATE_LENGTH = len("2020-01-01")


def _date_when_a_date(value: object) -> object:
    """An ISO calendar date string (``2020-01-01``) as a ``date``; any other value as it came."""
    if isinstance(value, str) and len(value) == _CALENDAR_DATE_LENGTH:
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


DateOrDateTime: TypeAlias = Annotated[_dt.datetime | _dt.date, BeforeValidator(_date_when_a_date)]
