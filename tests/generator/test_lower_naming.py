"""Names and literals: every spec string becomes a valid, unique, stable Python name or literal."""

from __future__ import annotations

import ast
import keyword
import math

import pytest
from forgegen.lower.literals import python_literal, string_literal
from forgegen.lower.naming import (
    CLASS_RESERVED,
    FIELD_RESERVED,
    PARAMETER_RESERVED,
    NameScope,
    is_valid_name,
    pascal_case,
    shorten,
    snake_case,
    upper_snake,
)
from hypothesis import given
from hypothesis import strategies as st

HOSTILE = [
    "",
    " ",
    "'",
    '"quoted"',
    "line\nbreak",
    "../x",
    "a/b",
    "héllo wörld",
    "名前",
    "class",
    "None",
    "match",
    "1st",
    "123",
    "_private",
    "__dunder__",
    "x-request-id",
    "$ref",
    "model_config",
    "json",
    "🐍",
    "\x00nul",
    "tab\there",
    "A" * 300,
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("getPetById", "get_pet_by_id"),
        ("HTTPServer", "http_server"),
        ("pet-id", "pet_id"),
        ("X-Request-ID", "x_request_id"),
        ("v2Beta", "v2_beta"),
        ("1st", "value_1st"),
        ("", "value"),
        ("class", "class_"),
        ("héllo", "hello"),
        ("../x", "x"),
        ("type", "type"),  # soft keyword: a legal identifier
        ("match", "match"),
    ],
)
def test_snake_case(text: str, expected: str) -> None:
    assert snake_case(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pet", "Pet"),
        ("pet_category", "PetCategory"),
        ("HTTPServer", "HttpServer"),
        ("issuing.card", "IssuingCard"),
        ("2fa", "Model2fa"),
        ("", "Model"),
        ("none", "NoneModel"),  # 'None' is a keyword
        ("true", "TrueModel"),
    ],
)
def test_pascal_case(text: str, expected: str) -> None:
    assert pascal_case(text) == expected


def test_upper_snake() -> None:
    assert upper_snake("in-progress") == "IN_PROGRESS"
    assert upper_snake("2xx") == "VALUE_2XX"
    assert upper_snake("") == "VALUE"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_valid_names(text: str) -> None:
    for name in (snake_case(text), pascal_case(text), upper_snake(text)):
        assert is_valid_name(name), (text, name)
        assert not keyword.iskeyword(name)


def test_names_are_deterministic_and_ascii() -> None:
    assert [snake_case(t) for t in HOSTILE] == [snake_case(t) for t in HOSTILE]
    assert all(pascal_case(t).isascii() for t in HOSTILE)


def test_scope_suffixes_collisions_in_order() -> None:
    scope = NameScope()
    assert [scope.take(n) for n in ["pet", "pet", "pet", "pet_2"]] == [
        "pet",
        "pet_2",
        "pet_3",
        "pet_2_2",
    ]
    classes = NameScope(reserved=CLASS_RESERVED, reserved_suffix="Model", counter_joiner="")
    assert classes.take("Client") == "ClientModel"
    assert classes.take("Exception") == "ExceptionModel"
    assert classes.take("Pet") == "Pet"
    assert classes.take("Pet") == "Pet2"


def _first_free(taken: set[str], reserved: frozenset[str], base: str, joiner: str) -> str:
    """The search a scope must agree with: the first free ``base``, ``base_2``, ..."""
    name, counter = base, 2
    while name in taken or name in reserved:
        name, counter = f"{base}{joiner}{counter}", counter + 1
    return name


@given(st.lists(st.sampled_from(["a", "a_2", "a_3", "b", "b_2", "a_2_2", "self"]), max_size=40))
def test_scope_names_equal_a_search_from_two(candidates: list[str]) -> None:
    scope = NameScope(reserved={"self"})
    taken: set[str] = set()
    for candidate in candidates:
        base = candidate + "_" if candidate == "self" else candidate
        expected = _first_free(taken, frozenset({"self"}), base, "_")
        taken.add(expected)
        assert scope.take(candidate) == expected


class _CountingSet(set[str]):
    """A set that counts membership tests: the work a scope does."""

    lookups = 0

    def __contains__(self, item: object) -> bool:
        _CountingSet.lookups += 1
        return super().__contains__(item)


def test_many_equal_names_cost_a_few_lookups_each() -> None:
    scope = NameScope()
    scope._taken = _CountingSet()  # measuring the scope's own work
    _CountingSet.lookups = 0
    names = [scope.take("value") for _ in range(5_000)]
    assert names[-1] == "value_5000"
    assert len(set(names)) == 5_000
    assert _CountingSet.lookups < 4 * 5_000  # a search from 2 each time: 12.5 million


def test_field_scope_avoids_pydantic_attributes() -> None:
    scope = NameScope(reserved=FIELD_RESERVED, field_rules=True)
    assert scope.take("model_config") == "model_config_"
    assert scope.take("model_type") == "model_type_"
    assert scope.take("model_dump") == "field_model_dump"
    assert scope.take("model_validate_x") == "field_model_validate_x"
    assert scope.take("json") == "json_"
    assert scope.take("date") == "date_"  # would shadow the ``date`` annotation
    assert scope.take("id") == "id"
    assert scope.take("type") == "type"


def test_parameter_scope_keeps_builtins_but_not_module_names() -> None:
    scope = NameScope(reserved=PARAMETER_RESERVED)
    assert scope.take("id") == "id"
    assert scope.take("filter") == "filter"
    assert scope.take("headers") == "headers_"
    assert scope.take("timeout") == "timeout_"
    assert scope.take("body") == "body_"
    assert scope.take("client") == "client_"


STRINGS = [
    "",
    "plain",
    "it's",
    'say "hi"',
    "back\\slash",
    "new\nline",
    "cr\rlf",
    "tab\t",
    "nul\x00",
    "bell\x07",
    "unicode é ü 名前 🐍",
    "line sep \u2028 para \u2029",
    "lone \ud800 surrogate",
    "\\n is not a newline",
    "'''\"\"\"",
]


@pytest.mark.parametrize("text", STRINGS)
def test_string_literal_round_trips(text: str) -> None:
    source = string_literal(text)
    assert "\n" not in source
    assert "\r" not in source
    assert ast.literal_eval(source) == text
    source.encode("utf-8")  # never a lone surrogate in the source itself


def test_python_literal_json_values() -> None:
    value = {"a": [1, 2.5, True, False, None, 'x"y'], "b": {"c": -3}, "d'": []}
    assert ast.literal_eval(python_literal(value)) == value
    assert python_literal(True) == "True"
    assert python_literal(10) == "10"
    assert python_literal(1e100) == "1e+100"
    assert python_literal(float("inf")) == 'float("inf")'
    assert math.isnan(eval(python_literal(float("nan"))))
    with pytest.raises(TypeError):
        python_literal(object())


def test_shorten_keeps_long_names_distinct_and_bounded() -> None:
    first, second = "a" * 150 + "_x", "a" * 150 + "_y"
    assert shorten("short") == "short"
    assert len(shorten(first)) == 100
    assert shorten(first) != shorten(second)
    assert shorten(first) == shorten(first)
    assert is_valid_name(shorten(first))


def test_the_reserved_model_attributes_are_those_of_the_installed_pydantic() -> None:
    """A field with any of these names would shadow the generated model's base class."""
    from forgegen.lower.naming import BASEMODEL_ATTRIBUTES
    from requestforge.api_model import ApiModel

    public = {
        name
        for name in set(dir(ApiModel)) | set(dir(type(ApiModel)))
        if not name.startswith(("_", "model_"))
    }
    assert public == BASEMODEL_ATTRIBUTES
