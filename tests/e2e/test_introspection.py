"""Bound endpoints introspect as their operation: signature, docstring, pydoc, IPython.

``inspect.signature(client.pet.update_pet)`` must be the operation function's
without the ``client`` parameter, ``__doc__`` its docstring, ``help()`` must
print both, for ``Client`` and ``AsyncClient``, ``.with_raw_response`` and the
``.iterate`` of paging operations; and none of it may import an operation
module before the user asks about that operation.  Each check of a generated
client runs in a fresh interpreter, so ``sys.modules`` shows what the probe
itself imported.
"""

from __future__ import annotations

import inspect
import json
import pydoc
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_generated_async_and_paging import SPEC as PAGING_SPEC

PETSTORE_SPEC = Path(__file__).resolve().parents[2] / "samples" / "specs" / "petstore.yaml"

# Shared by the probes: a bound callable's signature against the module function's.
HELPERS = '''
import inspect, json, pydoc, sys

def params(signature):
    return [
        [p.name, p.kind.name, repr(p.default), repr(p.annotation)]
        for p in signature.parameters.values()
    ]

def compare(bound, function):
    """What a test asserts about ``bound``: its signature against ``function`` minus the client."""
    full = inspect.signature(function)
    expected = full.replace(parameters=list(full.parameters.values())[1:])
    got = inspect.signature(bound)
    return {
        "first": next(iter(full.parameters)),
        "expected": params(expected),
        "got": params(got),
        "returns": [repr(got.return_annotation), repr(expected.return_annotation)],
        "equal": got == expected,
        "doc": bound.__doc__ == function.__doc__ and bool(function.__doc__),
    }

def loaded(package):
    """The operation modules (``<package>.api.<tag>.<operation>``) imported so far."""
    return sorted(
        m for m in sys.modules
        if m.startswith(package + ".api.") and m.count(".") == 3 and "._" not in m
    )
'''


def _generate(root: Path, spec_text: str, package: str) -> Path:
    from forgegen.pipeline import generate

    spec = root / f"{package}.yaml"
    spec.write_text(spec_text, encoding="utf-8")
    generate(spec, root / package, quiet=True, cache_dir=root / "cache")
    return root


@pytest.fixture(scope="module")
def petstore(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the ``petstore`` package generated from the sample spec."""
    root = tmp_path_factory.mktemp("introspection")
    return _generate(root, PETSTORE_SPEC.read_text(encoding="utf-8"), "petstore")


@pytest.fixture(scope="module")
def paging(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``paging`` package of the async-and-paging tests (``Link`` and cursor paging)."""
    root = tmp_path_factory.mktemp("introspection_paging")
    return _generate(root, PAGING_SPEC, "paging")


def _probe(root: Path, body: str) -> Any:
    """Run ``body`` (which prints one JSON document last) in a fresh interpreter in ``root``."""
    result = subprocess.run(
        [sys.executable, "-c", HELPERS + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def _assert_matches(report: dict[str, Any]) -> None:
    assert report["first"] == "client"
    assert report["got"] == report["expected"]
    assert report["returns"][0] == report["returns"][1]
    assert report["equal"], report
    assert report["doc"], "the bound callable's __doc__ is not the function's docstring"


def test_sync_endpoints_have_the_operation_signature_without_the_client(petstore: Path) -> None:
    report = _probe(
        petstore,
        """
        import petstore
        client = petstore.Client()
        before = loaded("petstore")
        out = {"before": before, "ops": {}}
        for name in ("update_pet_with_form", "update_pet", "find_pets_by_status", "upload_file"):
            bound = getattr(client.pet, name)
            module = sys.modules[f"petstore.api.pet.{name}"]
            out["ops"][name] = {
                "call": compare(bound, module.sync),
                "raw": compare(bound.with_raw_response, module.sync_detailed),
            }
        print(json.dumps(out))
        """,
    )
    assert report["before"] == []  # the package and Client() imported no operation
    for name, checks in report["ops"].items():
        for kind, check in checks.items():
            try:
                _assert_matches(check)
            except AssertionError as error:
                raise AssertionError(f"{name} ({kind}): {error}") from error
    form = report["ops"]["update_pet_with_form"]["call"]["got"]
    assert [p[:2] for p in form] == [
        ["pet_id", "KEYWORD_ONLY"],  # path
        ["name", "KEYWORD_ONLY"],  # query
        ["status", "KEYWORD_ONLY"],
        ["headers", "KEYWORD_ONLY"],
        ["timeout", "KEYWORD_ONLY"],
    ]
    assert form[0][2] == "<class 'inspect._empty'>"  # required, no default
    assert form[1][2:] == ["None", "'str | None'"]
    by_status = report["ops"]["find_pets_by_status"]["call"]
    assert by_status["got"][0][2] == "<FindPetsByStatusStatus.AVAILABLE: 'available'>"
    assert by_status["returns"][0] == "'list[Pet]'"
    assert report["ops"]["find_pets_by_status"]["raw"]["returns"][0] == "'ApiResponse[list[Pet]]'"
    assert report["ops"]["update_pet"]["call"]["got"][0][:2] == ["body", "KEYWORD_ONLY"]


def test_bound_endpoints_name_and_wrap_their_operation(petstore: Path) -> None:
    report = _probe(
        petstore,
        """
        import typing
        import petstore
        client = petstore.Client()
        bound = client.pet.update_pet
        module = sys.modules["petstore.api.pet.update_pet"]
        raw = bound.with_raw_response
        print(json.dumps({
            "wrapped": bound.__wrapped__ is module.sync and inspect.unwrap(bound) is module.sync,
            "raw_wrapped": inspect.unwrap(raw) is module.sync_detailed,
            "names": [bound.__name__, type(bound).__qualname__, bound.__module__],
            "raw_names": [raw.__name__, raw.__qualname__],
            "routine": inspect.isroutine(bound),
            "coroutine": inspect.iscoroutinefunction(bound),
            "hints": sorted(typing.get_type_hints(raw)),
            "source": "def sync(" in inspect.getsource(bound),
            "class_signature": str(inspect.signature(type(bound))),
        }))
        """,
    )
    assert report["wrapped"]
    assert report["raw_wrapped"]
    assert report["names"] == ["update_pet", "PetApi.update_pet", "petstore.api.pet._resource"]
    assert report["raw_names"] == ["with_raw_response", "PetApi.update_pet.with_raw_response"]
    assert report["routine"] is True
    assert report["coroutine"] is False
    assert report["hints"] == ["body", "headers", "return", "timeout"]  # no client
    assert report["source"] is True  # IPython's ?? shows the operation's source
    assert report["class_signature"].startswith("(client")  # the class is still a class


def test_pydoc_and_help_print_the_parameters_and_the_docstring(petstore: Path) -> None:
    report = _probe(
        petstore,
        """
        import builtins, io
        import petstore
        client = petstore.Client()
        bound = client.pet.find_pets_by_status
        captured = io.StringIO()
        pydoc.pager = lambda text, title="": captured.write(pydoc.plain(text))
        builtins.help(bound)
        builtins.help(bound.with_raw_response)
        print(json.dumps({
            "render": pydoc.render_doc(bound, renderer=pydoc.plaintext),
            "help": captured.getvalue(),
            "doc": bound.__doc__,
        }))
        """,
    )
    doc = report["doc"]
    assert doc.startswith("Finds Pets by status.")
    for text in (report["render"], report["help"]):
        assert (
            'find_pets_by_status(*, status: "FindPetsByStatusStatus'
            " | Literal['available', 'pending', 'sold'] | None\""
        ) in text
        assert "headers: 'Mapping[str, str] | None' = None" in text
        assert "timeout: 'float | None' = None) -> 'list[Pet]'" in text
        assert "Finds Pets by status." in text
        assert "Multiple status values can be provided" in text
        assert "status: Status values that need to be considered for filter" in text
    assert "with_raw_response(*, status: " in report["help"]
    assert "-> 'ApiResponse[list[Pet]]'" in report["help"]
    assert "(*args" not in report["help"]


def test_help_on_a_resource_lists_its_operations_without_importing_them(petstore: Path) -> None:
    report = _probe(
        petstore,
        """
        import petstore
        client = petstore.Client()
        text = pydoc.render_doc(client.pet, renderer=pydoc.plaintext)
        async_text = pydoc.render_doc(petstore.AsyncClient().pet, renderer=pydoc.plaintext)
        print(json.dumps({"text": text, "async": async_text, "loaded": loaded("petstore")}))
        """,
    )
    assert report["loaded"] == []
    summaries = {
        "update_pet": "Update an existing pet.",
        "find_pets_by_status": "Finds Pets by status.",
        "update_pet_with_form": "Updates a pet in the store with form data.",
        "upload_file": "Uploads an image.",
    }
    for text in (report["text"], report["async"]):
        for name, summary in summaries.items():
            assert f"{name}(...)\n |      {summary}\n" in text


def test_async_endpoints_are_coroutine_functions_with_the_operation_signature(
    petstore: Path,
) -> None:
    report = _probe(
        petstore,
        """
        import asyncio
        import petstore
        client = petstore.AsyncClient()
        resource = client.pet
        before = loaded("petstore")
        bound = resource.update_pet_with_form
        module = sys.modules["petstore.api.pet.update_pet_with_form"]
        print(json.dumps({
            "before": before,
            "call": compare(bound, module.asyncio),
            "raw": compare(bound.with_raw_response, module.asyncio_detailed),
            "coroutine": [
                inspect.iscoroutinefunction(bound),
                inspect.iscoroutinefunction(bound.with_raw_response),
                asyncio.iscoroutinefunction(bound),
            ],
            "render": pydoc.render_doc(bound, renderer=pydoc.plaintext),
            "loaded": loaded("petstore"),
        }))
        """,
    )
    assert report["before"] == []
    _assert_matches(report["call"])
    _assert_matches(report["raw"])
    assert report["coroutine"] == [True, True, True]
    assert "async update_pet_with_form(*, pet_id: 'int', name: 'str | None'" in report["render"]
    assert "Updates a pet in the store with form data." in report["render"]
    assert report["loaded"] == ["petstore.api.pet.update_pet_with_form"]


def test_iterate_has_the_signature_and_docstring_of_the_module_iterate(paging: Path) -> None:
    report = _probe(
        paging,
        """
        import paging
        client, async_client = paging.Client(), paging.AsyncClient()
        repos, customers, async_repos = client.repos, client.customers, async_client.repos
        before = loaded("paging")
        out = {"before": before}
        for label, resource, name, call, iterate in (
            ("link", repos, "list_repos", "sync", "iterate"),
            ("cursor", customers, "list_customers", "sync", "iterate"),
            ("async", async_repos, "list_repos", "asyncio", "aiterate"),
        ):
            bound = getattr(resource, name)
            module = sys.modules[bound.__wrapped__.__module__]
            out[label] = {
                "call": compare(bound, getattr(module, call)),
                "iterate": compare(bound.iterate, getattr(module, iterate)),
                "raw": compare(bound.with_raw_response, getattr(module, call + "_detailed")),
                "render": pydoc.render_doc(bound.iterate, renderer=pydoc.plaintext),
                "module": module.__name__,
            }
        out["loaded"] = loaded("paging")
        print(json.dumps(out))
        """,
    )
    assert report["before"] == []
    assert report["loaded"] == [
        "paging.api.customers.list_customers",
        "paging.api.repos.list_repos",
    ]
    for label in ("link", "cursor", "async"):
        for kind in ("call", "iterate", "raw"):
            _assert_matches(report[label][kind])
    assert report["link"]["iterate"]["returns"][0] == "'Iterator[Repo]'"
    assert report["async"]["iterate"]["returns"][0] == "'AsyncIterator[Repo]'"
    assert report["cursor"]["iterate"]["returns"][0] == "'Iterator[Customer]'"
    assert [p[0] for p in report["cursor"]["iterate"]["got"]] == [
        "starting_after",
        "limit",
        "headers",
        "timeout",
    ]
    link = report["link"]["render"]
    assert "iterate(*, per_page: 'int | None' = None, headers:" in link
    assert "Every item of every page" in link


def test_ipython_shows_the_signature_once_and_the_docstring(petstore: Path) -> None:
    pytest.importorskip("IPython")
    report = _probe(
        petstore,
        """
        from IPython.core.interactiveshell import InteractiveShell
        import petstore
        shell = InteractiveShell.instance(colors="nocolor")
        shell.user_ns["client"] = petstore.Client()
        shell.user_ns["async_client"] = petstore.AsyncClient()
        print(json.dumps({
            name: shell.object_inspect_text(name)
            for name in (
                "client.pet.update_pet_with_form",
                "client.pet.update_pet_with_form.with_raw_response",
                "async_client.pet.update_pet_with_form",
            )
        }))
        """,
    )
    for name, text in report.items():
        assert "Signature:" in text, name
        assert "Call signature" not in text, name  # no second, generic (*args, **kwargs) one
        assert "pet_id: 'int'" in text, name
        assert "P.args" not in text, name
        assert "Updates a pet in the store with form data." in text, name
        assert "pet_id: ID of pet that needs to be updated" in text, name
    assert "-> 'ApiResponse[Pet]'" in report["client.pet.update_pet_with_form.with_raw_response"]


def test_the_committed_sample_introspects_too() -> None:
    """``samples/petstore`` (kept identical to the generator's output) in a plain interpreter."""
    samples = Path(__file__).resolve().parents[2] / "samples"
    report = _probe(
        samples,
        """
        import petstore
        client = petstore.Client()
        bound = client.pet.get_pet_by_id
        module = sys.modules["petstore.api.pet.get_pet_by_id"]
        print(json.dumps(compare(bound, module.sync)))
        """,
    )
    _assert_matches(report)
    assert [p[0] for p in report["got"]] == ["pet_id", "headers", "timeout"]


def test_a_hand_written_endpoint_introspects_as_its_function() -> None:
    """Outside a class body (no ``__set_name__``) the function names the endpoint."""
    from requestforge import ApiClient, ApiResponse, Endpoint, Resource

    def find_pet(client: ApiClient, *, pet_id: int, verbose: bool = False) -> str:
        """Find a pet."""
        return f"pet {pet_id}"

    def find_pet_detailed(
        client: ApiClient, *, pet_id: int, verbose: bool = False
    ) -> ApiResponse[str]:
        """Find a pet, with the response."""
        raise NotImplementedError

    class Pets(Resource):
        find = Endpoint(find_pet, find_pet_detailed)

    Pets.later = Endpoint(find_pet, find_pet_detailed)  # type: ignore[attr-defined]
    pets = Pets(ApiClient("http://127.0.0.1:9"))
    for bound, name, qualname in (
        (pets.find, "find", f"{Pets.__qualname__}.find"),
        (pets.later, "find_pet", "find_pet"),  # type: ignore[attr-defined]
    ):
        assert bound(pet_id=2) == "pet 2"
        assert (
            str(inspect.signature(bound)) == "(*, pet_id: 'int', verbose: 'bool' = False) -> 'str'"
        )
        assert bound.__doc__ == "Find a pet."
        assert bound.with_raw_response.__doc__ == "Find a pet, with the response."
        assert (bound.__name__, type(bound).__qualname__) == (name, qualname)
        assert "Find a pet." in pydoc.render_doc(bound, renderer=pydoc.plaintext)
