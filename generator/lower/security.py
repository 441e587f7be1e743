"""``components.securitySchemes`` -> :class:`~forgegen.ir.SecurityScheme`.

Schemes keep the spec's order.  ``python_prefix`` is what the ``Client``
parameters of a scheme are prefixed with: ``""`` when no other scheme has the
same kind (``api_key=...``), else the scheme's snake_case name, unique
(``admin_key_api_key=...``).  For oauth2 the URLs come from the first flow
(in the spec's order) that declares them, and ``scopes`` is the union of all
flows' scopes in order of first appearance.  HTTP schemes other than basic and
bearer (digest, hoba...) cannot be wired by the runtime: they are left out
with a warning, and operations that require them cannot be called with
credentials until they are supported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Literal

from ..diagnostics import Diagnostics, join_pointer
from ..ir import SecurityScheme
from .document import as_map, as_str, resolve
from .naming import NameScope, snake_case

__all__ = ["lower_security_schemes"]

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
    description = as_str(node.get("description"))
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
        for flow in flows.values():
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


def lower_security_schemes(
    document: Mapping[str, Any], diagnostics: Diagnostics
) -> tuple[SecurityScheme, ...]:
    """Every supported scheme, in the spec's order, with its ``python_prefix``."""
    base = "#/components/securitySchemes"
    entries = as_map(as_map(document.get("components")).get("securitySchemes"))
    schemes: list[SecurityScheme] = []
    for name, entry in entries.items():
        pointer = join_pointer(base, str(name))
        node, _ = resolve(document, as_map(entry), pointer)
        kind = _kind(node, pointer, diagnostics)
        if kind is not None:
            schemes.append(_scheme(str(name), kind, node, pointer, diagnostics))
    counts = Counter(scheme.kind for scheme in schemes)
    scope = NameScope()
    result = []
    for scheme in schemes:
        prefix = ""
        if counts[scheme.kind] > 1:
            prefix = scope.take(snake_case(scheme.name, fallback="auth"))
        result.append(replace(scheme, python_prefix=prefix))
    return tuple(result)
