"""``components.securitySchemes`` -> :class:`~forgegen.ir.SecurityScheme`.

Schemes keep the spec's order.  Each scheme asks for *canonical* credentials
(:data:`CANONICAL`: ``api_key``; ``username`` + ``password``; ``token``...).
``python_prefix`` is what a scheme's ``Client`` parameters are prefixed with:
``""`` unless another scheme has the same kind *or* wants a parameter of the
same canonical name (http bearer and oauth2 implicit both want ``token``), in
which case it is the scheme's snake_case name, unique
(``petstore_auth_token=...``).  Every parameter name then goes through one
:class:`NameScope` reserving the ``Client``'s own keywords, so the rule is
deterministic and names never collide.

``x-forgegen-token-pipeline`` on an http bearer scheme describes a chain of
token calls (see the README); it is validated here, every mistake a
:class:`SpecError` naming the JSON pointer.  For oauth2 the URLs come from the first flow
(in the spec's order) that declares them, and ``scopes`` is the union of all
flows' scopes in order of first appearance.  HTTP schemes other than basic and
bearer (digest, hoba...) cannot be wired by the runtime: they are left out
with a warning, and operations that require them cannot be called with
credentials until they are supported.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from ..diagnostics import Diagnostics, SpecError, brief, join_pointer
from ..ir import PipelineStep, SecurityScheme
from ..prose import prose
from .document import as_map, as_str, resolve
from .naming import NameScope, snake_case

__all__ = ["CLIENT_KEYWORDS", "PIPELINE_EXTENSION", "lower_security_schemes"]

PIPELINE_EXTENSION = "x-forgegen-token-pipeline"

#: The generated ``Client.__init__``'s own keyword parameters.
CLIENT_KEYWORDS = frozenset(
    {
        "self",
        "base_url",
        "auth",
        "auth_by_scheme",
        "http_client",
        "timeout",
        "headers",
        "token_storage",
        "credentials",
    }
)
_CANONICAL_NAMES = frozenset(
    {
        "api_key",
        "username",
        "password",
        "token",
        "token_manager",
        "refresh_token",
        "client_id",
        "client_secret",
        "scopes",
        "token_url",
        "client_cert",
    }
)
_INPUT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_STEP_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Ten years: a longer cache lifetime is a mistake, and past float range a crash.
MAX_PIPELINE_TTL = 10 * 365 * 86400
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SchemeKind = Literal["apiKey", "http_basic", "http_bearer", "oauth2", "openIdConnect", "mutualTLS"]
_API_KEY_LOCATIONS: dict[str, Literal["header", "query", "cookie"]] = {
    "header": "header",
    "query": "query",
    "cookie": "cookie",
}


def _kind(node: Mapping[str, Any], pointer: str, diagnostics: Diagnostics) -> SchemeKind | None:
    kind = node.get("type")
    if kind == "apiKey":
        return "apiKey"
    if kind == "http":
        scheme = (as_str(node.get("scheme")) or "").lower()
        if scheme == "basic":
            return "http_basic"
        if scheme == "bearer":
            return "http_bearer"
        diagnostics.warn(f"HTTP auth scheme {scheme!r} is not supported; left out", pointer)
        return None
    if kind == "oauth2":
        return "oauth2"
    if kind == "openIdConnect":
        return "openIdConnect"
    if kind == "mutualTLS":
        return "mutualTLS"
    diagnostics.warn(f"security scheme type {kind!r} is not supported; left out", pointer)
    return None


def _scheme(
    name: str, kind: SchemeKind, node: Mapping[str, Any], pointer: str, diagnostics: Diagnostics
) -> SecurityScheme:
    description = prose(node, "description", pointer)
    if kind == "apiKey":
        location = _API_KEY_LOCATIONS.get(as_str(node.get("in")) or "")
        if location is None:
            diagnostics.warn("apiKey location must be header, query or cookie", pointer)
        return SecurityScheme(
            name=name,
            python_prefix="",
            kind=kind,
            location=location or "header",
            parameter_name=as_str(node.get("name")),
            description=description,
        )
    if kind == "oauth2":
        flows = as_map(node.get("flows"))
        urls: dict[str, str] = {}
        scopes: list[str] = []
        flow_token_urls: list[tuple[str, str]] = []
        for flow_name, flow in flows.items():
            flow_token_url = as_str(as_map(flow).get("tokenUrl"))
            if flow_token_url is not None:
                flow_token_urls.append((str(flow_name), flow_token_url))
            for key in ("tokenUrl", "refreshUrl", "authorizationUrl"):
                value = as_str(as_map(flow).get(key))
                if value is not None:
                    urls.setdefault(key, value)
            for scope in as_map(as_map(flow).get("scopes")):
                if str(scope) not in scopes:
                    scopes.append(str(scope))
        return SecurityScheme(
            name=name,
            python_prefix="",
            kind=kind,
            token_url=urls.get("tokenUrl"),
            refresh_url=urls.get("refreshUrl"),
            authorization_url=urls.get("authorizationUrl"),
            flows=tuple(str(flow) for flow in flows),
            flow_token_urls=tuple(flow_token_urls),
            scopes=tuple(scopes),
            description=description,
        )
    return SecurityScheme(
        name=name,
        python_prefix="",
        kind=kind,
        openid_connect_url=as_str(node.get("openIdConnectUrl")),
        description=description,
    )


def canonical_parameters(scheme: SecurityScheme) -> tuple[str, ...]:
    """The credentials a scheme asks for, unprefixed, in signature order."""
    names: list[str] = []
    if scheme.kind == "apiKey":
        names = ["api_key"]
    elif scheme.kind == "http_basic":
        names = ["username", "password"]
    elif scheme.kind == "http_bearer":
        names = ["token", "token_manager", *scheme.pipeline_inputs]
    elif scheme.kind == "oauth2":
        flows = set(scheme.flows)
        if "clientCredentials" in flows:
            names += ["client_id", "client_secret"]
        if "password" in flows:
            names += ["username", "password", "client_id", "client_secret"]
        if flows & {"clientCredentials", "password"}:
            names.append("scopes")
        if flows & {"authorizationCode", "implicit"}:
            names += ["token", "refresh_token"]
        names.append("token_url")
    elif scheme.kind == "openIdConnect":
        names = ["client_id", "client_secret", "scopes", "token"]
    else:
        names = ["client_cert"]
    return tuple(dict.fromkeys(names))


def _operations_by_id(document: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for path, item in as_map(document.get("paths")).items():
        for method in _METHODS:
            operation_id = as_str(as_map(as_map(item).get(method)).get("operationId"))
            if operation_id is not None:
                found.setdefault(operation_id, (method.upper(), str(path)))
    return found


def _string_map(value: object, pointer: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise SpecError("must be a mapping of strings to template strings", pointer=pointer)
    return tuple((str(k), str(v)) for k, v in value.items())


def _check_templates(pairs: tuple[tuple[str, str], ...], allowed: set[str], pointer: str) -> None:
    for key, template in pairs:
        where = join_pointer(pointer, key)
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
        except ValueError as error:
            raise SpecError(f"bad template {template!r}: {error}", pointer=where) from None
        for field_name in fields:
            if field_name not in allowed:
                raise SpecError(
                    f"template names {{{field_name}}}, which is neither a dependency of this "
                    f"step nor a pipeline input ({', '.join(sorted(allowed)) or 'none'})",
                    pointer=where,
                )


def _pipeline_step(
    node: object, pointer: str, operations: Mapping[str, tuple[str, str]], inputs: set[str]
) -> PipelineStep:
    if not isinstance(node, Mapping):
        raise SpecError("a pipeline step must be a mapping", pointer=pointer)
    name = node.get("name")
    if not isinstance(name, str) or not _STEP_NAME.match(name):
        raise SpecError(
            "a pipeline step needs a name (letters, digits, _)",
            pointer=join_pointer(pointer, "name"),
        )
    operation_id = node.get("operationId")
    if not isinstance(operation_id, str) or operation_id not in operations:
        raise SpecError(
            f"operationId {operation_id!r} names no operation of this spec",
            pointer=join_pointer(pointer, "operationId"),
        )
    method, path = operations[operation_id]
    if "{" in path:
        raise SpecError(
            f"operation {operation_id!r} has path parameters ({path}); a pipeline step "
            "cannot fill them",
            pointer=join_pointer(pointer, "operationId"),
        )
    depends = node.get("dependsOn", [])
    if not isinstance(depends, list) or not all(isinstance(d, str) for d in depends):
        raise SpecError(
            "dependsOn must be a list of step names", pointer=join_pointer(pointer, "dependsOn")
        )
    token = node.get("token")
    token_pointer = join_pointer(pointer, "token")
    if (
        not isinstance(token, Mapping)
        or len(token) != 1
        or not (isinstance(token.get("header"), str) or isinstance(token.get("json"), str))
    ):
        raise SpecError(
            "token must be {header: <response header>} or {json: <dotted.path>}",
            pointer=token_pointer,
        )
    ttl = node.get("ttl")
    # Compared before any float() of it: a JSON integer may have hundreds of digits.
    if (
        isinstance(ttl, bool)
        or not isinstance(ttl, (int, float))
        or not (ttl > 0 and ttl <= MAX_PIPELINE_TTL)
    ):
        raise SpecError(
            f"ttl must be a positive number of seconds, at most {MAX_PIPELINE_TTL} (ten years);"
            f" got {brief(ttl)}",
            pointer=join_pointer(pointer, "ttl"),
        )
    headers = _string_map(node.get("headers"), join_pointer(pointer, "headers"))
    body = _string_map(node.get("json"), join_pointer(pointer, "json"))
    allowed = set(depends) | inputs
    _check_templates(headers, allowed, join_pointer(pointer, "headers"))
    _check_templates(body, allowed, join_pointer(pointer, "json"))
    return PipelineStep(
        name=name,
        method=method,
        path=path,
        ttl=float(ttl),
        depends_on=tuple(depends),
        token_header=as_str(token.get("header")),
        token_json=as_str(token.get("json")),
        headers=headers,
        json=body,
    )


def _pipeline(
    node: object, pointer: str, document: Mapping[str, Any]
) -> tuple[tuple[PipelineStep, ...], tuple[str, ...]]:
    """The steps and inputs of an ``x-forgegen-token-pipeline`` (a list, or {inputs, steps})."""
    inputs_node: object = []
    steps_node: object = node
    steps_pointer = pointer
    if isinstance(node, Mapping):
        unknown = sorted(set(node) - {"inputs", "steps"})
        if unknown:
            raise SpecError(f"unknown keys {unknown}: expected inputs, steps", pointer=pointer)
        inputs_node = node.get("inputs", [])
        steps_node = node.get("steps")
        steps_pointer = join_pointer(pointer, "steps")
    if not isinstance(inputs_node, list) or not all(
        isinstance(name, str) and _INPUT_NAME.match(name) and name not in _CANONICAL_NAMES
        for name in inputs_node
    ):
        raise SpecError(
            "inputs must be a list of snake_case names other than the standard credentials",
            pointer=join_pointer(pointer, "inputs"),
        )
    inputs = tuple(dict.fromkeys(str(name) for name in inputs_node))
    if not isinstance(steps_node, list) or not steps_node:
        raise SpecError("a token pipeline must be a non-empty list of steps", pointer=steps_pointer)
    operations = _operations_by_id(document)
    steps: list[PipelineStep] = []
    for index, step_node in enumerate(steps_node):
        step = _pipeline_step(
            step_node, join_pointer(steps_pointer, index), operations, set(inputs)
        )
        if any(other.name == step.name for other in steps):
            raise SpecError(
                f"duplicate step name {step.name!r}",
                pointer=join_pointer(steps_pointer, index, "name"),
            )
        steps.append(step)
    names = [step.name for step in steps]
    for index, step in enumerate(steps):
        for dependency in step.depends_on:
            if dependency not in names:
                raise SpecError(
                    f"step {step.name!r} depends on unknown step {dependency!r}",
                    pointer=join_pointer(steps_pointer, index, "dependsOn"),
                )
    _check_acyclic(steps, steps_pointer)
    sinks = [s.name for s in steps if not any(s.name in o.depends_on for o in steps)]
    if len(sinks) != 1:
        raise SpecError(
            f"a token pipeline needs exactly one last step (one no step depends on), got {sinks}",
            pointer=steps_pointer,
        )
    return tuple(steps), inputs


def _check_acyclic(steps: list[PipelineStep], pointer: str) -> None:
    deps = {step.name: step.depends_on for step in steps}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            cycle = " -> ".join((*trail[trail.index(name) :], name))
            raise SpecError(
                f"pipeline steps depend on each other in a cycle: {cycle}", pointer=pointer
            )
        if name in done:
            return
        for dependency in deps[name]:
            visit(dependency, (*trail, name))
        done.add(name)

    for step in steps:
        visit(step.name, ())


def lower_security_schemes(
    document: Mapping[str, Any], diagnostics: Diagnostics
) -> tuple[SecurityScheme, ...]:
    """Every supported scheme, in the spec's order, with its ``Client`` parameter names."""
    base = "#/components/securitySchemes"
    entries = as_map(as_map(document.get("components")).get("securitySchemes"))
    schemes: list[SecurityScheme] = []
    for name, entry in entries.items():
        pointer = join_pointer(base, str(name))
        node, _ = resolve(document, as_map(entry), pointer)
        kind = _kind(node, pointer, diagnostics)
        if kind is None:
            continue
        scheme = _scheme(str(name), kind, node, pointer, diagnostics)
        if PIPELINE_EXTENSION in node:
            extension_pointer = join_pointer(pointer, PIPELINE_EXTENSION)
            if kind != "http_bearer":
                raise SpecError(
                    f"{PIPELINE_EXTENSION} is supported on http bearer schemes only",
                    pointer=extension_pointer,
                )
            steps, inputs = _pipeline(node[PIPELINE_EXTENSION], extension_pointer, document)
            scheme = replace(scheme, pipeline=steps, pipeline_inputs=inputs)
        schemes.append(scheme)
    return _name_parameters(schemes)


def _name_parameters(schemes: list[SecurityScheme]) -> tuple[SecurityScheme, ...]:
    """Prefix a scheme when its kind repeats or a canonical parameter is wanted twice."""
    kinds = Counter(scheme.kind for scheme in schemes)
    wanted = Counter(name for scheme in schemes for name in canonical_parameters(scheme))
    prefixes = NameScope()
    parameters = NameScope(reserved=CLIENT_KEYWORDS)
    result = []
    for scheme in schemes:
        canonical = canonical_parameters(scheme)
        prefix = ""
        if kinds[scheme.kind] > 1 or any(wanted[name] > 1 for name in canonical):
            prefix = prefixes.take(snake_case(scheme.name, fallback="auth"))
        named = tuple(
            (name, parameters.take(f"{prefix}_{name}" if prefix else name)) for name in canonical
        )
        result.append(replace(scheme, python_prefix=prefix, parameters=named))
    return tuple(result)
