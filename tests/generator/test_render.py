"""Render a hand-built IR, format and write it, then import, call and type-check the result."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
import requestforge
from forgegen.formatting import format_sources
from forgegen.ir import Operation, Parameter, Response, Tag
from forgegen.render import STATUS_ERRORS, RenderError, relative, render, runtime_sources
from forgegen.writer import write_files

from tests.generator.tiny_api import GET_PET, HOSTILE, tiny_api
from tests.support.server import LoopbackServer, Reply

ROOT = Path(__file__).resolve().parents[2]


def _generate(out: Path, *, runtime: str = "vendored") -> dict[str, str]:
    files = render(tiny_api(out.name), runtime=runtime, spec_sha256="0" * 64)  # type: ignore[arg-type]
    generated = {k: v for k, v in files.items() if not k.startswith("_runtime/")}
    files.update(format_sources(generated, use_cache=False))
    write_files(out, files)
    return files


@pytest.fixture(scope="module")
def tiny_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "tinypets"
    _generate(out)
    return out


def test_package_shape(tiny_package: Path) -> None:
    files = {p.relative_to(tiny_package).as_posix() for p in tiny_package.rglob("*") if p.is_file()}
    for expected in (
        "__init__.py",
        "py.typed",
        "_client.py",
        "errors.py",
        "models/__init__.py",
        "models/pet.py",
        "models/pet_status.py",
        "models/pet_list.py",
        "api/__init__.py",
        "api/pets/__init__.py",
        "api/pets/get_pet.py",
        "api/files/upload_photo.py",
        "README.md",
        ".forgegen.json",
        "_runtime/__init__.py",
        "_runtime/api.py",
    ):
        assert expected in files, expected
    metadata = json.loads((tiny_package / ".forgegen.json").read_text())
    assert metadata["spec_sha256"] == "0" * 64
    assert metadata["options"] == {"package_name": "tinypets", "runtime": "vendored"}
    readme = (tiny_package / "README.md").read_text()
    for call in (
        "client.pets.get_pet(pet_id=...)",
        "client.pets.list_pets()",
        "client.files.upload_photo(pet_id=..., body=...)",
    ):
        assert call in readme


def test_every_python_file_compiles(tiny_package: Path) -> None:
    for path in tiny_package.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")


def test_vendored_runtime_is_byte_identical(tiny_package: Path) -> None:
    runtime_dir = Path(requestforge.__file__).parent
    originals = sorted(
        p.relative_to(runtime_dir).as_posix()
        for p in runtime_dir.rglob("*.py")
        if "__pycache__" not in p.parts
    )
    assert "integrations/__init__.py" in originals
    vendored = tiny_package / "_runtime"
    assert sorted(p.relative_to(vendored).as_posix() for p in vendored.rglob("*.py")) == originals
    for name in originals:
        assert (vendored / name).read_bytes() == (runtime_dir / name).read_bytes()
    assert list(runtime_sources()) == originals


def test_render_is_deterministic() -> None:
    first = render(tiny_api(), runtime="vendored")
    second = render(tiny_api(), runtime="vendored")
    assert first == second
    assert list(first) == sorted(first)


def test_package_runtime_imports_requestforge() -> None:
    files = render(tiny_api(), runtime="package")
    assert not any(path.startswith("_runtime/") for path in files)
    assert "from requestforge import" in files["api/pets/get_pet.py"]
    assert "from ..._runtime import" in render(tiny_api())["api/pets/get_pet.py"]


def test_hostile_text_lands_only_in_docstrings(tiny_package: Path) -> None:
    source = (tiny_package / "api" / "pets" / "get_pet.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    error_class = next(
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "GetPetNotFoundError"
    )
    doc = ast.get_docstring(error_class)
    assert doc is not None
    assert '"""triple"""' in doc
    assert "\x00" in doc


def test_relative_imports() -> None:
    assert relative("api.pet.get_pet", "models.pet") == "...models.pet"
    assert relative("api.pet", "api.pet", from_package=True) == "."
    assert relative("_client", "api.pet") == ".api.pet"
    assert relative("models.pet", "models.tag") == ".tag"
    assert relative("models", "models.pet", from_package=True) == ".pet"


def test_status_errors_match_the_runtime() -> None:
    for status, name in STATUS_ERRORS.items():
        assert requestforge.error_class_for(status).__name__ == name


def test_render_refuses_bad_ir() -> None:
    api = tiny_api()
    bad_name = replace(GET_PET, python_name="get pet")
    with pytest.raises(ValueError, match="identifier"):
        render(replace(api, tags=(Tag("pets", "pets", "PetsApi", (bad_name,)),)))
    bad_default = replace(
        GET_PET,
        parameters=(
            *GET_PET.parameters,
            Parameter(
                "q", "q", "query", GET_PET.parameters[0].type, False, "form", "__import__('os')"
            ),
        ),
    )
    with pytest.raises(ValueError, match="literal"):
        render(replace(api, tags=(Tag("pets", "pets", "PetsApi", (bad_default,)),)))
    bad_type = replace(GET_PET, success_type=replace(GET_PET.success_type, annotation="Pet)\n"))
    with pytest.raises(RenderError):
        render(replace(api, tags=(Tag("pets", "pets", "PetsApi", (bad_type,)),)))
    with pytest.raises(ValueError, match="identifier"):
        render(replace(api, package_name="not-a-name"))


def test_hostile_path_template_is_one_string_literal() -> None:
    hostile = replace(GET_PET, path='/pets/{petId}/"quote"{unknown}\\x/\n{petId}')
    api = replace(tiny_api(), tags=(Tag("pets", "pets", "PetsApi", (hostile,)),))
    source = render(api)["api/pets/get_pet.py"]
    build = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and node.name == "build_request"
    )
    call = build.body[-1]
    assert isinstance(call, ast.Return)
    assert isinstance(call.value, ast.Call)
    url = next(kw.value for kw in call.value.keywords if kw.arg == "url")
    expression = ast.get_source_segment(source, url)
    assert expression is not None
    value = eval(expression, {"path_param": requestforge.path_param, "pet_id": "a/b"})
    assert value == '/pets/a%2Fb/"quote"{unknown}\\x/\na%2Fb'


E2E_SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    sys.path.insert(0, sys.argv[1])
    import tinypets
    lazy = "tinypets.models.pet" not in sys.modules
    from tinypets import Client, ApiError, NotFoundError, MissingCredentialsError
    from tinypets.models import Pet, PetStatus, Upload
    from tinypets.api.pets.get_pet import GetPetNotFoundError, GetPetServerError
    from tinypets._runtime import ApiKeyAuthHook

    out = {"lazy": lazy}
    client = Client(base_url=sys.argv[2], auth=ApiKeyAuthHook("X-API-Key", "secret"))
    pet = client.pets.get_pet(pet_id="../1", x_trace="t-1", session="s")
    out["pet"] = [type(pet).__name__, pet.name, pet.photo_urls, str(pet.status.value), pet.kind]
    out["known"] = pet.status.is_known
    try:
        client.pets.get_pet(pet_id="missing")
    except GetPetNotFoundError as error:
        out["404"] = [type(error).__name__, isinstance(error, NotFoundError),
                      error.status_code, error.parsed.message, error.parsed.model_extra]
    try:
        client.pets.get_pet(pet_id="boom")
    except GetPetServerError as error:
        out["503"] = [type(error).__name__, error.parsed, error.content.decode()]
    raw = client.pets.get_pet.with_raw_response(pet_id="7")
    out["raw"] = [raw.status_code, raw.headers["x-rate"], type(raw.parsed).__name__]
    pets = client.pets.list_pets(status=[PetStatus.AVAILABLE, PetStatus("new")],
                                 filter_={"a": "b"})
    out["list"] = [p.name for p in pets]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        created = client.pets.add_pet(body=Pet(name="n", photoUrls=[], status=None))
    out["add"] = [created.name, [str(w.category.__name__) for w in caught]]
    client.files.upload_photo(pet_id=5, body=Upload(file=b"PNG", note="hi"))
    out["note"] = client.files.put_note(body="h\u00e9llo")
    anonymous = Client(base_url=sys.argv[2])
    try:
        anonymous.pets.get_pet(pet_id="1")
    except MissingCredentialsError as error:
        out["missing"] = str(error)
    out["public"] = len(anonymous.pets.list_pets())
    print(json.dumps(out))
    """)


def test_generated_client_against_loopback_server(
    tiny_package: Path, server: LoopbackServer
) -> None:
    pet = {"id": 1, "name": "Rex", "photoUrls": ["u"], "status": "hibernating"}
    server.route("GET", "/v1/pets/..%2F1", Reply.json(pet))
    server.route("GET", "/v1/pets/7", Reply.json(pet, headers={"X-Rate": "5"}))
    server.route(
        "GET", "/v1/pets/missing", Reply.json({"code": 4, "message": "gone", "x": "y"}, 404)
    )
    server.route("GET", "/v1/pets/boom", Reply(status=503, body=b"down"))
    server.route("GET", "/v1/pets", Reply.json([pet, {**pet, "name": "Max"}]))
    server.route("POST", "/v1/pets", Reply.json({**pet, "name": "n"}, status=201))
    server.route("PUT", "/v1/pets/5/photo", Reply(status=204))
    server.route(
        "POST",
        "/v1/notes",
        Reply(body="h\u00e9llo".encode(), headers={"Content-Type": "text/plain"}),
    )
    result = subprocess.run(
        [sys.executable, "-c", E2E_SCRIPT, str(tiny_package.parent), server.url + "/v1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["lazy"] is True
    assert out["pet"] == ["Pet", "Rex", ["u"], "hibernating", "dog"]
    assert out["known"] is False
    assert out["404"] == ["GetPetNotFoundError", True, 404, "gone", {"x": "y"}]
    assert out["503"] == ["GetPetServerError", None, "down"]
    assert out["raw"] == [200, "5", "Pet"]
    assert out["list"] == ["Rex", "Max"]
    assert out["add"] == ["n", ["DeprecationWarning"]]
    assert out["note"] == "h\u00e9llo"
    assert "api_key" in out["missing"]
    assert out["public"] == 2

    first = server.requests[0]
    assert first.path == "/v1/pets/..%2F1"
    assert first.header("X-API-Key") == "secret"
    assert first.header("X-Trace") == "t-1"
    assert first.header("Cookie") == "session=s"
    listed = server.requests_to("/v1/pets", "GET")[0]
    assert listed.query == {"status": ["available", "new"], "limit": ["10"], "filter[a]": ["b"]}
    assert listed.header("X-API-Key") is None  # security: [] sends no credentials
    created = server.requests_to("/v1/pets", "POST")[0]
    assert created.json() == {"name": "n", "photoUrls": [], "status": None}
    upload = server.requests_to("/v1/pets/5/photo")[0]
    assert (upload.header("Content-Type") or "").startswith("multipart/form-data")
    assert b"PNG" in upload.body
    assert b'name="note"' in upload.body
    note = server.requests_to("/v1/notes")[0]
    assert note.body == "h\u00e9llo".encode()
    assert note.header("Content-Type") == "text/plain"
    # the anonymous client never reached the server for the secured operation
    assert len(server.requests_to("/v1/pets/1")) == 0


USAGE = textwrap.dedent("""
    from tinypets import Client
    from tinypets.models import Pet
    from tinypets._runtime import ApiResponse

    client = Client(base_url="https://example.com")
    pet: Pet = client.pets.get_pet(pet_id="1")
    raw: ApiResponse[Pet] = client.pets.get_pet.with_raw_response(pet_id="1", timeout=2.0)
    names: list[str] = [p.name for p in client.pets.list_pets(limit=3)]
    text: str = client.files.put_note(body="x")
    """)

MISUSE = textwrap.dedent("""
    from tinypets import Client

    client = Client(base_url="https://example.com")
    client.pets.get_pet(pet_id=1)
    client.pets.get_pet(petId="1")
    count: int = client.files.put_note(body="x")
    """)


@pytest.mark.slow
def test_generated_package_passes_mypy_strict(tiny_package: Path) -> None:
    (tiny_package.parent / "use_client.py").write_text(USAGE)
    (tiny_package.parent / "misuse_client.py").write_text(MISUSE)
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    good = subprocess.run(
        [*command, "tinypets", "use_client.py"],
        cwd=tiny_package.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run(
        [*command, "misuse_client.py"],
        cwd=tiny_package.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 1
    assert 'Argument "pet_id" to "__call__" of "BoundEndpoint" has incompatible type' in bad.stdout
    assert 'Unexpected keyword argument "petId"' in bad.stdout
    assert 'Incompatible types in assignment (expression has type "str"' in bad.stdout


def test_operation_without_success_response_returns_none() -> None:
    op = Operation(
        python_name="ping",
        module="api.misc.ping",
        tag="misc",
        method="HEAD",
        path="/ping",
        parameters=(),
        body=None,
        responses=(Response("404", "none", None, None, HOSTILE, error_class="PingNotFoundError"),),
        success_type=replace(GET_PET.success_type, annotation="None", imports=frozenset()),
        security=(),
    )
    api = replace(tiny_api(), tags=(Tag("misc", "misc", "MiscApi", (op,)),))
    source = render(api)["api/misc/ping.py"]
    assert "if response.status_code // 100 == 2:\n        return None" in source
    compile(source, "ping.py", "exec")
