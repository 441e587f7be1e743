"""Statement-level black: the same bytes as black on whole files, for a fraction of the time.

The default formatting path trusts the templates to emit black's layout and
runs black only on over-long statements (``forgegen.long_statements``).  These
tests hold it to that: on real specs the result must equal black on the whole
files, and every input it cannot split safely must fall back to whole-file black.
"""

from __future__ import annotations

import ast
from pathlib import Path

import black
import pytest
from forgegen.diagnostics import Diagnostics
from forgegen.formatting import FormatError, black_mode, format_source, format_sources
from forgegen.long_statements import find_long_statements, format_batch
from forgegen.lower import lower
from forgegen.parse import parse_spec
from forgegen.render import render

from tests.support.corpus import CORPUS

ROOT = Path(__file__).resolve().parents[2]


def _rendered(spec: Path) -> dict[str, str]:
    diagnostics = Diagnostics()
    parsed = parse_spec(spec, diagnostics=diagnostics)
    api = lower(parsed.openapi, parsed.document, package_name="client", diagnostics=diagnostics)
    files = render(api, runtime="vendored", spec_sha256=parsed.source_sha256)
    return {
        path: text
        for path, text in files.items()
        if path.endswith(".py") and not path.startswith("_runtime/")
    }


@pytest.mark.parametrize(
    "spec",
    [
        ROOT / "samples" / "specs" / "petstore.yaml",
        CORPUS / "spotify-web-api-fixed-3.0.yaml",
        CORPUS / "openapi-python-client-baseline_openapi_3.1.yaml",
        CORPUS / "oai-api-with-examples-3.0.yaml",
        CORPUS / "oai-webhook-example-3.1.yaml",
        CORPUS / "wso2-apim-service-catalog-api-3.0.yaml",
    ],
    ids=lambda spec: spec.name,
)
def test_equals_black_on_whole_files(spec: Path) -> None:
    files = _rendered(spec)
    fast = format_sources(files, use_cache=False, workers=1)
    exact = format_sources(files, use_cache=False, workers=1, exact=True)
    assert [path for path in files if fast[path] != exact[path]] == []


def _black(source: str) -> str:
    return black.format_str(source, mode=black_mode())


def _batch(items: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], list[str]]:
    whole: list[str] = []

    def whole_file(source: str, path: str) -> str:
        whole.append(path)
        return format_source(source, path)

    return (
        format_batch(items, line_length=100, black_format=_black, whole_file=whole_file),
        whole,
    )


LONG_CALL = "    result = compute(" + ", ".join(f"argument_{i}=value_{i}" for i in range(8)) + ")\n"
MODULE = (
    '"""Doc."""\n\n\ndef f() -> None:\n'
    f"{LONG_CALL}"
    "    short = 1\n"
    "\n\nclass A:\n"
    f"    x: int = field({', '.join(f'option_{i}=True' for i in range(9))})\n"
)


def test_only_long_statements_are_touched() -> None:
    (path, text), *_ = _batch([("m.py", MODULE)])[0]
    assert path == "m.py"
    assert text == _black(MODULE)
    assert "    short = 1\n" in text
    assert len(LONG_CALL) > 100
    assert max(len(line) for line in text.splitlines()) <= 100


def test_short_lines_are_trusted_not_reformatted() -> None:
    """Template output is black's layout already; a short line is never re-formatted."""
    source = "x = {  'a':1}\n"
    assert _batch([("m.py", source)]) == ([("m.py", source)], [])


def test_headers_of_compound_statements_are_isolated() -> None:
    params = ", ".join(f"parameter_{i}: int" for i in range(8))
    source = f"class A:\n    def method(self, {params}) -> None:\n        pass\n"
    lines = source.split("\n")
    statements = find_long_statements(lines, 100, ast.parse(source))
    assert [(s.first, s.last, s.depth, s.header) for s in statements] == [(1, 1, 1, True)]
    assert _batch([("m.py", source)])[0] == [("m.py", _black(source))]


def test_unsplittable_items_of_exploded_brackets_are_left_alone() -> None:
    url = "/repos/" + "segment/" * 14
    source = (
        f'def f() -> object:\n    return Request(\n        url=f"{url}",\n        x=1,\n    )\n'
    )
    lines = source.split("\n")
    assert find_long_statements(lines, 100, ast.parse(source)) == []
    assert _black(source) == source


def test_long_docstrings_are_not_isolated() -> None:
    source = 'def f() -> None:\n    """' + ("word " * 30).strip() + '"""\n'
    lines = source.split("\n")
    assert find_long_statements(lines, 100, ast.parse(source)) == []
    assert _black(source) == source


@pytest.mark.parametrize(
    "source",
    [
        # a triple-quoted string inside the long statement
        'x = call("""' + "a" * 120 + '""", 1)\n',
        # tabs for indentation
        "if True:\n\tx = call(" + ", ".join(["argument"] * 12) + ")\n",
        # a long line in an ``else:`` header region that no statement covers
        "if a:\n    pass\nelse:  # " + "c" * 120 + "\n    pass\n",
    ],
)
def test_unsplittable_files_are_formatted_whole(source: str) -> None:
    formatted, whole = _batch([("odd.py", source)])
    assert whole == ["odd.py"]
    assert formatted == [("odd.py", _black(source))]


def test_syntax_errors_name_the_file() -> None:
    with pytest.raises(FormatError, match=r"api/broken\.py"):
        format_sources({"api/broken.py": "def (:\n"}, use_cache=False)


def test_many_files_share_one_black_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(source: str) -> str:
        calls.append(source)
        return _black(source)

    items = [(f"m{i}.py", MODULE.replace("compute", f"compute_{i}")) for i in range(5)]
    out = format_batch(items, line_length=100, black_format=counting, whole_file=format_source)
    assert len(calls) == 1
    assert out == [(path, _black(source)) for path, source in items]
