"""Hostile spec text through every escaping filter: the result compiles and means the input."""

from __future__ import annotations

import ast

import pytest
from forgegen.escaping import comment, docblock, docstring, identifier, markdown, py_literal, py_str

HOSTILE = [
    "",
    "plain",
    'a "quoted" word',
    "single ' quote",
    '"""',
    '""""""',
    'ends with "',
    'ends with ""',
    '"starts',
    "back\\slash",
    "ends with backslash\\",
    "\\N{BULLET} and \\x41 and \\u0041",
    "line\nbreak",
    "crlf\r\nline",
    "lone cr\rhere",
    "nul\x00byte",
    "bell\x07 esc\x1b del\x7f",
    "form\x0cfeed vtab\x0b",
    "unicode ünïcødé ✓ 日本",
    "emoji 🐍",
    "line sep\u2028para sep\u2029 nel\x85",
    "bidi \u202e override \u2066 isolate",
    "zero\u200bwidth",
    "lone surrogate \ud800 and \udfff",
    "tab\tseparated",
    "{braces} and {{double}} %s %(x)s",
    "'''triple single'''",
    "x'''\"\"\"y",
    "# not a comment",
    "\\",
    '"',
    "end\\\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_py_str_round_trips(text: str) -> None:
    literal = py_str(text)
    assert "\n" not in literal
    assert "\r" not in literal
    tree = ast.parse(f"x = {literal}\n")
    assert isinstance(tree.body[0], ast.Assign)
    value = tree.body[0].value
    assert isinstance(value, ast.Constant)
    assert value.value == text
    literal.encode("utf-8")  # no lone surrogates in the source text itself


def _normalised(text: str) -> str:
    """What docstring() promises to keep: the text with line breaks unified."""
    for brk in ("\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"):
        text = text.replace(brk, "\n")
    text = "".join(
        f"\\u{ord(char):04x}" if 0xD800 <= ord(char) <= 0xDFFF else char for char in text
    )
    lines = [line.replace("\t", "    ").rstrip() for line in text.strip().split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("indent", ["", "    "])
def test_docstring_stays_inside_its_quotes(text: str, indent: str) -> None:
    body = docstring(text, indent)
    source = f'def f():\n    """{body}"""\n    return 1\n'
    source.encode("utf-8")
    tree = ast.parse(source)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert len(function.body) == 2  # the docstring did not swallow or spill code
    doc = ast.get_docstring(function, clean=False)
    assert doc is not None
    expected = _normalised(text)
    if indent:
        expected = "\n".join(
            indent + line if index and line else line
            for index, line in enumerate(expected.split("\n"))
        )
    # As black does, one space separates a quote at either end from the triple quotes.
    if doc.startswith(' "') and not expected.startswith(" "):
        doc = doc[1:]
    if doc.endswith('" '):
        doc = doc[:-1]
    assert doc == expected


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_is_one_line(text: str) -> None:
    body = comment(text)
    source = f"x = 1  # {body}\ny = 2\n"
    tree = ast.parse(source)
    assert len(tree.body) == 2
    assert len(source.splitlines()) == 2
    source.encode("utf-8")


def test_comment_and_docstring_of_none() -> None:
    assert comment(None) == ""
    assert docstring(None) == ""
    with pytest.raises(TypeError):
        docstring(3)
    with pytest.raises(TypeError):
        py_str(b"bytes")


@pytest.mark.parametrize("name", ["pet", "Pet", "get_pet_by_id", "_private", "ünï"])
def test_identifier_accepts_identifiers(name: str) -> None:
    assert identifier(name) == name


@pytest.mark.parametrize(
    "name", ["", "1abc", "class", "None", "a-b", "a b", "x;import os", "a\nb", 3]
)
def test_identifier_refuses_everything_else(name: object) -> None:
    with pytest.raises(ValueError, match="identifier"):
        identifier(name)


@pytest.mark.parametrize(
    "source",
    [
        "None",
        "True",
        "10",
        "-3",
        "2.5",
        "'sold'",
        '"a\\nb"',
        "[1, 'x', None]",
        "{'a': [1, 2], 'b': {'c': False}}",
        "(1,)",
        'float("nan")',
        'float("-inf")',
        "PetStatus.AVAILABLE",
    ],
)
def test_py_literal_accepts_data(source: str) -> None:
    assert py_literal(source) == source
    compile(f"x = {source}", "<literal>", "exec")


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os').system('x')",
        "open('f')",
        "os",
        "a.b.c",
        "x.__class__",
        "f'{x}'",
        "1 + 2",
        "lambda: 1",
        "[x for x in y]",
        "1\nimport os",
        "float('1e3')",
        "'a' 'b'; import os",
    ],
)
def test_py_literal_refuses_code(source: str) -> None:
    with pytest.raises(ValueError, match="literal"):
        py_literal(source)


def test_markdown_escapes_markup_and_controls() -> None:
    text = markdown("<script>alert(1)</script> `code` *bold* [link](x)\x00\r\nnext")
    assert "<" not in text.replace("\\<", "")
    assert "`" not in text.replace("\\`", "")
    assert "\x00" not in text
    assert text.splitlines()[1] == "next"


@pytest.mark.parametrize("text", HOSTILE)
def test_docblock_closes_on_its_own_line_when_multiline(text: str) -> None:
    def parsed(body: str) -> tuple[int, str]:
        tree = ast.parse(f'class C:\n    """{body}"""\n    x = 1\n')
        cls = tree.body[0]
        assert isinstance(cls, ast.ClassDef)
        return len(cls.body), ast.get_docstring(cls, clean=False) or ""

    plain = docstring(text, "    ")
    block = docblock(text, "    ")
    assert parsed(block)[0] == 2
    if "\n" in plain:
        assert block == plain + "\n    "
        assert parsed(block)[1] == parsed(plain)[1] + "\n    "
    else:
        assert block == plain


def test_markdown_prose_keeps_markdown_but_neutralises_html_and_controls() -> None:
    from forgegen.escaping import markdown_prose

    text = markdown_prose(
        "See [the docs](https://example.com) and *this*.\n"
        "- item\n  - nested\n<script>alert(1)</script>\x00\x1b[31m\r\nend"
    )
    lines = text.splitlines()
    assert lines[0] == "See [the docs](https://example.com) and *this*."
    assert lines[1:3] == ["- item", "  - nested"]
    assert "<script>" not in text
    assert "\\<script\\>" in text
    assert "\x00" not in text
    assert "\x1b" not in text
    assert lines[-1] == "end"
