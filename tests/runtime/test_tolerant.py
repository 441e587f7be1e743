"""Tolerant parsing of response bodies: typed where it validates, raw where it drifts."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

import pytest
from pydantic import Field, ValidationError
from requestforge.api_model import ApiModel
from requestforge.tolerant import Deviation, log_deviations, validate_tolerantly


class Owner(ApiModel):
    name: str
    since: date | None = None


class Contents(ApiModel):
    name: str
    path: str
    created: date
    mime_type: str = Field(alias="mimetype")
    owner: Owner | None = None
    children: list[Contents] | None = None
    tags: dict[str, int] | None = None


def _body(**changes: Any) -> bytes:
    body: dict[str, Any] = {
        "name": "a.txt",
        "path": "dir/a.txt",
        "created": "2024-01-02",
        "mimetype": "text/plain",
        "owner": {"name": "ann", "since": "2020-05-06"},
        "children": [],
        "tags": {"x": 1},
    }
    body.update(changes)
    return json.dumps(body).encode()


def test_a_conforming_body_is_validated_as_strictly_as_ever() -> None:
    value, deviations = validate_tolerantly(_body(), Contents)
    assert deviations == ()
    assert value == Contents.model_validate_json(_body())
    assert value.created == date(2024, 1, 2)


def test_a_null_in_a_required_string_keeps_the_rest_typed() -> None:
    value, deviations = validate_tolerantly(_body(mimetype=None), Contents)
    assert isinstance(value, Contents)
    assert value.mime_type is None  # the raw JSON value
    assert value.created == date(2024, 1, 2)  # still converted
    assert value.owner == Owner(name="ann", since=date(2020, 5, 6))
    assert [d.pointer for d in deviations] == ["/mimetype"]
    assert "string" in deviations[0].message
    # dumped back under its wire name, the drift included
    assert value.model_dump(by_alias=True, mode="json")["mimetype"] is None


def test_drift_deep_in_lists_and_maps_is_located() -> None:
    child = {"name": "c", "path": "p", "created": "not a date", "mimetype": "x"}
    value, deviations = validate_tolerantly(
        _body(children=[json.loads(_body()), child], tags={"x": "many", "y": 2}), Contents
    )
    assert [d.pointer for d in deviations] == ["/children/1/created", "/tags/x"]
    assert isinstance(value.children[0], Contents)
    assert value.children[1].created == "not a date"
    assert value.children[1].name == "c"
    assert value.tags == {"x": "many", "y": 2}
    assert deviations[0].field() == "/children/*/created"


def test_a_missing_required_field_is_a_deviation_and_stays_unset() -> None:
    body = json.loads(_body())
    del body["path"]
    value, deviations = validate_tolerantly(json.dumps(body), Contents)
    assert deviations == (Deviation("/path", "Field required"),)
    assert "path" not in value.model_fields_set
    assert "path" not in value.model_dump(exclude_unset=True)


def test_a_top_level_mismatch_keeps_the_whole_body() -> None:
    value, deviations = validate_tolerantly(b'"just text"', Contents)
    assert value == "just text"
    assert deviations[0].pointer == ""
    items, deviations = validate_tolerantly(b"[1, {}]", list[int])
    assert items == [1, {}]
    assert [d.pointer for d in deviations] == ["/1"]


def test_a_body_that_is_not_json_still_raises() -> None:
    with pytest.raises(ValidationError):
        validate_tolerantly(b"<html>oops</html>", Contents)


def test_a_hostile_nesting_depth_ends_in_raw_values_not_recursion() -> None:
    deep: Any = {"name": "n", "path": "p", "created": "bad", "mimetype": "m"}
    for _ in range(400):
        deep = {
            "name": "n",
            "path": "p",
            "created": "2024-01-01",
            "mimetype": "m",
            "children": [deep],
        }
    value, deviations = validate_tolerantly(json.dumps(deep), Contents)
    assert isinstance(value, Contents)
    assert len(deviations) == 1


def test_each_operation_and_field_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="requestforge.responses")
    first = (Deviation("/children/0/created", "Input should be a valid date"),)
    log_deviations("get_contents_once", first)
    log_deviations("get_contents_once", (Deviation("/children/7/created", "again"),))
    log_deviations("other_operation_once", first)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "get_contents_once: the response does not match its schema at /children/*/created" in (
        messages[0]
    )
    assert "not a date" not in " ".join(messages)
