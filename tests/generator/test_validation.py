"""Validation on a second core: the same verdicts as in-process, nothing written when invalid."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
from forgegen.diagnostics import SpecError
from forgegen.parse import parse_spec
from forgegen.pipeline import generate
from forgegen.validation import Validation

from tests.generator.test_parse import PETSTORE_30, write


def _verdict(path: Path, mode: str) -> SpecError | None:
    try:
        parse_spec(path, validate=mode).check()  # type: ignore[arg-type]
    except SpecError as error:
        return error
    return None


@pytest.mark.parametrize(
    "text",
    [
        PETSTORE_30.replace("in: path", "in: body"),
        "openapi: 3.1.0\npaths: {}\n",
        PETSTORE_30.replace("openapi: 3.0.3", "openapi: 3.0.3\nservers: 7"),
    ],
)
def test_background_and_in_process_validation_agree(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "s.yaml", text)
    now = _verdict(path, "now")
    background = _verdict(path, "background")
    assert now is not None
    assert background is not None
    assert background.diagnostic == now.diagnostic  # message, pointer, file and line


def test_a_valid_document_passes_in_the_background_and_still_offers_its_model(
    tmp_path: Path,
) -> None:
    parsed = parse_spec(write(tmp_path, "s.yaml", PETSTORE_30), validate="background")
    parsed.check()
    parsed.check()  # idempotent
    assert parsed.openapi.info.title  # the model, validated here on demand


def test_an_invalid_spec_writes_nothing_and_leaves_the_old_output(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.yaml", PETSTORE_30)
    out = tmp_path / "petstore"
    generate(spec, out, quiet=True, cache_dir=tmp_path / "cache")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # A title that is not text breaks the document itself: nothing to degrade.
    spec.write_text(PETSTORE_30.replace("title: Pets", "title: [Pets]"), encoding="utf-8")
    with pytest.raises(SpecError, match="valid string") as caught:
        generate(spec, out, quiet=True, cache_dir=tmp_path / "cache")
    assert caught.value.diagnostic.line == 3
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_generation_never_imports_openapi_pydantic_in_the_main_process(tmp_path: Path) -> None:
    spec = write(tmp_path, "s.yaml", PETSTORE_30)
    probe = (
        "import sys\n"
        "from forgegen.pipeline import generate\n"
        f"generate({str(spec)!r}, {str(tmp_path / 'out')!r}, quiet=True,"
        f" cache_dir={str(tmp_path / 'cache')!r})\n"
        "print('openapi_pydantic' in sys.modules, 'pydantic' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    # Validated by a forked child (this machine has more than one CPU).
    if (os.cpu_count() or 1) > 1 and sys.platform.startswith("linux"):
        assert result.stdout.split() == ["False", "False"]
    assert (tmp_path / "out" / "_client.py").is_file()


def test_a_child_that_dies_without_a_verdict_is_replaced_by_validating_here(
    tmp_path: Path,
) -> None:
    parsed = parse_spec(write(tmp_path, "s.yaml", PETSTORE_30))
    document = copy.deepcopy(parsed.document)
    document["paths"]["/pets/{petId}"]["get"]["parameters"][0]["in"] = "body"
    validation = Validation(document, parsed.validation._bundle)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # a child that crashes before reporting
        os._exit(3)
    os.close(write_end)
    validation._child = (pid, read_end)
    with pytest.raises(SpecError, match="'query', 'header', 'path' or 'cookie'"):
        validation.check()
