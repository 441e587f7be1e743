"""``DateOrDateTime``: a date stays a date and a date-time a date-time, from JSON or Python."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError
from requestforge import DateOrDateTime

ADAPTER: TypeAdapter[dt.datetime | dt.date] = TypeAdapter(DateOrDateTime)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-01-01", dt.date(2020, 1, 1)),
        ("2020-01-01T00:00:00", dt.datetime(2020, 1, 1)),
        (
            "2020-01-01T10:20:30+02:00",
            dt.datetime(2020, 1, 1, 10, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        (dt.date(2021, 5, 6), dt.date(2021, 5, 6)),
        (dt.datetime(2021, 5, 6, 7, 8), dt.datetime(2021, 5, 6, 7, 8)),
    ],
)
def test_each_value_is_read_as_what_it_is(value: object, expected: object) -> None:
    for parsed in (
        ADAPTER.validate_python(value),
        ADAPTER.validate_json(ADAPTER.dump_json(expected)),
    ):
        assert parsed == expected
        assert type(parsed) is type(expected)
    assert ADAPTER.dump_python(ADAPTER.validate_python(value), mode="json") == ADAPTER.dump_python(
        expected, mode="json"
    )


def test_a_plain_datetime_union_reads_a_date_as_midnight() -> None:
    # What DateOrDateTime exists for: pydantic's own union gets this wrong.
    plain: TypeAdapter[dt.datetime | dt.date] = TypeAdapter(dt.datetime | dt.date)
    assert plain.validate_python("2020-01-01") == dt.datetime(2020, 1, 1)


def test_what_is_neither_is_refused() -> None:
    for value in ("2020-13-01", "yesterday", "2020-01-01T25:00:00"):
        with pytest.raises(ValidationError):
            ADAPTER.validate_python(value)
