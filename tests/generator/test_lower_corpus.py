"""The real-world corpus through ``parse_spec`` + ``lower``: nothing skipped, every name valid.

Per document: the operation count of the corpus README's table, every path x
method and every declared response present, all Python names valid and unique
in their scope, every class a type mentions defined and imported from the
module it lives in.  The number of ``Any`` degradations (warnings naming their
JSON pointer) is recorded per document and pinned, so a change that types less
of a spec shows up here.
"""

from __future__ import annotations

import ast
import functools
import keyword
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from forgegen.diagnostics import Diagnostics
from forgegen.ir import Api, Import, TypeRef
from forgegen.lower import lower
from forgegen.lower.operations import METHODS
from forgegen.parse import ParsedSpec, parse_spec
from pydantic import BaseModel

from tests.support.corpus import CORPUS

#: file -> (operations from the corpus README's table, ``Any`` degradations)
EXPECTED = {
    "github-api.github.com.3.0.json": (771, 0),
    "oai-api-with-examples-3.0.yaml": (2, 0),
    "oai-callback-example-3.0.yaml": (1, 0),
    "oai-link-example-3.0.yaml": (6, 0),
    "oai-mega-3.1.yaml": (1, 0),
    "oai-non-oauth-scopes-3.1.yaml": (1, 0),
    "oai-petstore-3.0.yaml": (3, 0),
    "oai-petstore-expanded-3.0.yaml": (4, 0),
    "oai-petstore-expanded-swagger2.0.json": (4, 0),
    "oai-uspto-3.0.yaml": (3, 0),
    "oai-webhook-example-3.1.yaml": (0, 0),
    "openapi-python-client-baseline_openapi_3.0.json": (50, 0),
    "openapi-python-client-baseline_openapi_3.1.yaml": (50, 0),
    "spotify-web-api-fixed-3.0.yaml": (97, 0),
    "stripe-spec3.json": (417, 0),
    "swagger-petstore3-openapi.yaml": (19, 0),
    "wso2-apim-service-catalog-api-3.0.yaml": (9, 0),
}

PYDANTIC_ATTRIBUTES = frozenset(dir(BaseModel))


@functools.cache
def _parsed(name: str) -> ParsedSpec:
    """Each document parsed once per session (parsing is the front end's cost, not ours)."""
    return parse_spec(CORPUS / name)


def _valid(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name) and name.isascii()


def _type_refs(api: Api) -> Iterator[TypeRef]:
    for model in api.models:
        yield from (item.type for item in model.fields)
        if model.extra is not None:
            yield model.extra
    for alias in api.aliases:
        yield alias.target
    for tag in api.tags:
        for operation in tag.operations:
            yield operation.success_type
            yield from (p.type for p in operation.parameters)
            if operation.body is not None:
                yield operation.body.type
            yield from (r.type for r in operation.responses if r.type is not None)


def _declared(document: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    result = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                statuses = item[method].get("responses", {})
                result[(path, method.upper())] = {
                    str(s).upper().replace("DEFAULT", "default") for s in statuses
                }
    return result


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_document_lowers_completely(
    name: str, record_property: pytest.RecordProperty
) -> None:
    spec = _parsed(name)
    diagnostics = Diagnostics()
    started = time.perf_counter()
    api = lower(spec.openapi, spec.document, package_name="client", diagnostics=diagnostics)
    elapsed = time.perf_counter() - started
    operations = [op for tag in api.tags for op in tag.operations]
    degraded = [w for w in diagnostics.warnings if "typed as Any" in w.message]
    record_property("operations", len(operations))
    record_property("models", len(api.models))
    record_property("enums", len(api.enums))
    record_property("aliases", len(api.aliases))
    record_property("any_degradations", len(degraded))
    record_property("lower_seconds", round(elapsed, 3))
    print(
        f"{name}: {len(operations)} operations, {len(api.models)} models, {len(api.enums)} "
        f"enums, {len(api.aliases)} aliases, {len(degraded)} Any, {elapsed:.3f}s"
    )

    expected_operations, expected_degraded = EXPECTED[name]
    assert len(operations) == expected_operations
    assert len(degraded) == expected_degraded, [str(w) for w in degraded]
    assert all(w.pointer.startswith("#/") for w in diagnostics.warnings)

    # every path x method, every declared response
    declared = _declared(spec.document)
    lowered = {(op.path, op.method): {r.status for r in op.responses} for op in operations}
    assert lowered == declared

    # names: valid everywhere, unique per scope
    classes = [m.name for m in api.models] + [e.name for e in api.enums]
    classes += [a.name for a in api.aliases] + [t.class_name for t in api.tags]
    errors = [r.error_class for op in operations for r in op.responses if r.error_class]
    assert not [n for n, c in Counter(classes + errors).items() if c > 1]
    assert all(_valid(n) for n in classes + errors)
    assert len({t.python_name for t in api.tags}) == len(api.tags)
    for tag in api.tags:
        assert _valid(tag.python_name)
        names = [op.python_name for op in tag.operations]
        assert len(set(names)) == len(names)
        for op in tag.operations:
            assert _valid(op.python_name)
            assert op.module == f"api.{tag.python_name}.{op.python_name}"
            params = [p.python_name for p in op.parameters]
            assert len(set(params)) == len(params)
            assert all(_valid(p) for p in params)
            assert "body" not in params
    for model in api.models:
        fields = [f.python_name for f in model.fields]
        assert len(set(fields)) == len(fields)
        assert all(_valid(f) and f not in PYDANTIC_ATTRIBUTES for f in fields)
    for enum in api.enums:
        members = [m.name for m in enum.members]
        assert len(set(members)) == len(members)
        assert all(_valid(m) for m in members)
    defaults = [f.default for m in api.models for f in m.fields]
    defaults += [p.default for op in operations for p in op.parameters]
    for default in defaults:
        if default is not None:
            ast.parse(default, mode="eval")
    for scheme in api.security_schemes:
        assert scheme.python_prefix == "" or _valid(scheme.python_prefix)

    # every class a type mentions exists and is imported from its module
    modules = {m.name: m.module for m in api.models}
    modules |= {e.name: e.module for e in api.enums}
    modules |= {a.name: a.module for a in api.aliases}
    assert all(module.startswith("models.") for module in modules.values())
    for ref in _type_refs(api):
        ast.parse(ref.annotation, mode="eval")
        for model_name in ref.models:
            assert Import(modules[model_name], model_name) in ref.imports


@pytest.mark.parametrize("name", ["github-api.github.com.3.0.json", "stripe-spec3.json"])
def test_large_documents_lower_fast_and_deterministically(name: str) -> None:
    spec = _parsed(name)
    started = time.perf_counter()
    first = lower(spec.openapi, spec.document, package_name="c", diagnostics=Diagnostics())
    elapsed = time.perf_counter() - started
    second = lower(spec.openapi, spec.document, package_name="c", diagnostics=Diagnostics())
    assert first == second
    assert elapsed < 5.0, f"lower took {elapsed:.2f}s"
