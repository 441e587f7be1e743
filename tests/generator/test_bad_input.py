"""Bad input through the command line: exit 1, no traceback, file:line #/pointer.

Every kind issue 7 lists is run through the real CLI against an output
directory that already holds a generated client; after each failure that
directory must be byte-for-byte what it was.  Imperfections a user cannot fix
(missing ``info.version``, duplicate operationIds, unknown formats) generate
with a warning that names the JSON pointer instead.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgegen.cli import main

GOOD = """\
openapi: 3.0.3
info: {title: Good, version: "1"}
paths:
  /a:
    get:
      operationId: getA
      responses:
        "200": {description: ok}
"""

#: name -> (file name, text or None for a missing file, expected message parts)
CASES: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "unparsable YAML": (
        "spec.yaml",
        'openapi: 3.0.3\ninfo: {title: x, version: "1"\npaths: {}\n',
        ("spec.yaml:3:1: invalid YAML:",),
    ),
    "unparsable JSON": (
        "spec.json",
        '{"openapi": "3.0.3",\n "info": ',
        ("spec.json:2:10: invalid JSON:",),
    ),
    "python tag": (
        "spec.yaml",
        "openapi: !!python/object/apply:os.system ['touch PWNED']\n",
        ("spec.yaml:1", "python"),
    ),
    "not an OpenAPI document": (
        "spec.yaml",
        "hello: world\n",
        ("spec.yaml:1: not an OpenAPI document",),
    ),
    "unsupported version": (
        "spec.yaml",
        'openapi: 4.0.0\ninfo: {title: x, version: "1"}\npaths: {}\n',
        ("spec.yaml:1 #/openapi: unsupported OpenAPI version '4.0.0'",),
    ),
    "missing file": ("spec.yaml", None, ("spec.yaml: file not found",)),
    "missing file $ref target": (
        "spec.yaml",
        GOOD.replace(
            '"200": {description: ok}',
            '"200": {$ref: "./other.yaml#/Ok"}',
        ),
        ("spec.yaml", "#/paths/~1a/get/responses/200", "other.yaml"),
    ),
    "info title not text": (
        "spec.yaml",
        GOOD.replace("title: Good", "title: [Good]"),
        ("spec.yaml:2 #/info/title:", "valid string"),
    ),
    "pipeline ttl past float range": (
        "spec.yaml",
        GOOD.replace("      responses:", "      security: []\n      responses:")
        + "components:\n  securitySchemes:\n    s:\n      type: http\n      scheme: bearer\n"
        "      x-forgegen-token-pipeline:\n"
        "        - {name: a, operationId: getA, token: {header: X-T}, ttl: 1" + "0" * 400 + "}\n",
        (
            "spec.yaml:16 #/components/securitySchemes/s/x-forgegen-token-pipeline/0/ttl:",
            "at most 315360000 (ten years)",
        ),
    ),
    "paths not a mapping": (
        "spec.yaml",
        'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: [1, 2]\n',
        ("spec.yaml:3 #/paths:",),
    ),
}


def _digest(root: Path) -> str:
    """A hash of every path, mode and byte under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(oct(path.stat().st_mode).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _run(spec: Path, out: Path, cache: Path) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(main, [str(spec), "-o", str(out), "--cache-dir", str(cache), "-q"])
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, exception


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An output directory holding a client generated from a good spec, and its hash."""
    root = tmp_path_factory.mktemp("previous")
    spec = root / "good.yaml"
    spec.write_text(GOOD, encoding="utf-8")
    out = root / "out" / "client"
    code, output, _ = _run(spec, out, root / "cache")
    assert code == 0, output
    return out, _digest(out.parent)


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_input_exits_1_with_a_located_message_and_leaves_the_output_alone(
    kind: str, tmp_path: Path, previous: tuple[Path, str]
) -> None:
    name, text, expected = CASES[kind]
    spec = tmp_path / name
    if text is not None:
        spec.write_text(text, encoding="utf-8")
    out, digest = previous
    code, output, exception = _run(spec, out, tmp_path / "cache")
    assert exception is None, f"{kind}: uncaught {exception!r}"
    assert code == 1, output
    assert "Traceback" not in output
    assert output.startswith("forgegen: error: ")
    for part in expected:
        assert part in output, f"{kind}: {part!r} not in {output!r}"
    assert _digest(out.parent) == digest
    assert not (tmp_path / "PWNED").exists()
    assert not Path("PWNED").exists()


WARNED = """\
openapi: 3.0.3
info: {title: Imperfect}
paths:
  /a:
    get:
      operationId: same
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: string, format: wibble}
  /b:
    get:
      operationId: same
      responses:
        "200": {description: ok}
"""


def test_imperfections_a_user_cannot_fix_generate_with_warnings(tmp_path: Path) -> None:
    spec = tmp_path / "imperfect.yaml"
    spec.write_text(WARNED, encoding="utf-8")
    out = tmp_path / "out" / "imperfect"
    code, output, exception = _run(spec, out, tmp_path / "cache")
    assert exception is None
    assert code == 0, output
    assert "imperfect.yaml #/info: info.version is missing" in output
    assert (
        "imperfect.yaml:12 #/paths/~1a/get/responses/200/content/application~1json/schema/format:"
        " unknown format 'wibble'" in output
    )
    assert (
        "imperfect.yaml:15 #/paths/~1b/get/operationId: duplicate operationId 'same'"
        " (first at #/paths/~1a/get)" in output
    )
    assert (out / "api" / "default" / "same.py").is_file()
    assert (out / "api" / "default" / "same_2.py").is_file()
