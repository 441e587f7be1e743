"""Clients generated from the real specs in tests/corpus compile, import and type-check.

Every document (3.x, and Swagger 2.0 through its conversion) is generated end
to end (parse, lower, render, format, write).  The small and medium ones are
then imported module by module in a fresh interpreter and checked with
``mypy --strict`` here; GitHub and Stripe take minutes of mypy and run through
``scripts/check_corpus.py`` instead (its last results are in the Generator
issue's note).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from forgegen.pipeline import generate

from tests.support.corpus import CORPUS

BIG = {"github-api.github.com.3.0.json", "stripe-spec3.json"}
DOCUMENTS = sorted(
    p.name for p in CORPUS.glob("*") if p.suffix in (".yaml", ".json") and p.name not in BIG
)

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys, warnings
warnings.simplefilter("error")
package = importlib.import_module(sys.argv[1])
count = 0
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(module.name)
    count += 1
package.Client(base_url="http://127.0.0.1:9")
print(count)
"""


def _package_name(document: str) -> str:
    stem = Path(document).stem
    return "client_" + "".join(ch if ch.isalnum() else "_" for ch in stem).lower()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the corpus is missing: {CORPUS}")
    root = tmp_path_factory.mktemp("corpus_clients")
    for document in DOCUMENTS:
        generate(CORPUS / document, root / _package_name(document), quiet=True)
    return root


def test_the_corpus_is_all_there() -> None:
    assert len(DOCUMENTS) == 15
    assert "oai-petstore-expanded-swagger2.0.json" in DOCUMENTS


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_module_imports_without_warnings(generated: Path, document: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, _package_name(document)],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout) > 0


def test_mypy_strict_passes_on_every_generated_client(generated: Path) -> None:
    packages = [_package_name(document) for document in DOCUMENTS]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *packages],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
