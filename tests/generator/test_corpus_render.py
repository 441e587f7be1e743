"""Every corpus document through parse -> lower -> render: every operation becomes a
module, every generated file compiles (formatting, import and mypy of the whole corpus
are measured by hand -- see the generator issue -- as they take minutes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from forgegen.diagnostics import Diagnostics, SpecError
from forgegen.lower import lower
from forgegen.parse import parse_spec
from forgegen.render import module_path, render

from tests.support.corpus import CORPUS

SPECS = sorted([*CORPUS.glob("*.yaml"), *CORPUS.glob("*.json")])


@pytest.mark.parametrize("spec", SPECS, ids=[path.name for path in SPECS])
def test_corpus_document_renders_to_compilable_code(spec: Path) -> None:
    try:
        parsed = parse_spec(spec)
    except SpecError as error:  # pragma: no cover - the front end's business
        pytest.fail(f"front end refused {spec.name}: {error}")
    api = lower(parsed.openapi, parsed.document, package_name="client", diagnostics=Diagnostics())
    files = render(api, runtime="package", spec_sha256=parsed.source_sha256)
    for tag in api.tags:
        assert module_path(f"api.{tag.python_name}", package=True) in files
        for operation in tag.operations:
            assert module_path(operation.module) in files, operation.python_name
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, f"{spec.name}:{path}", "exec")
    assert '"spec_sha256": "' + parsed.source_sha256 in files[".forgegen.json"]
