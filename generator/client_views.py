"""Views of the client's auth wiring: what ``client.py.jinja`` and the README print.

``lower`` named every ``Client`` credential parameter (``SecurityScheme.parameters``);
here they become the ``__init__`` signature, the ``credentials=`` mapping handed
to ``ApiClient``, the ``security_schemes`` declaration (runtime
``SecuritySchemeSpec`` literals) and the README's "Authentication" section.
Every spec string goes through :func:`~forgegen.escaping.py_str` here or a
filter in the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codegen import ImportSet
from .escaping import identifier, py_str
from .ir import Api, PipelineStep, SecurityScheme

__all__ = ["AuthDoc", "ClientAuthView", "auth_docs", "client_auth_view", "env_prefix"]

#: canonical credential -> annotation in the generated ``__init__``
_ANNOTATIONS = {
    "token_manager": "TokenSource | None",
    "scopes": "Sequence[str] | None",
    "client_cert": "str | tuple[str, str] | None",
}
#: canonical credential -> what it is, for the README and the docstring
_MEANINGS = {
    "api_key": "the API key",
    "username": "user name",
    "password": "password",
    "token": "an access token (sent as `Authorization: Bearer ...`)",
    "token_manager": "a `TokenManager` (or anything with `get_token()`/`invalidate()`)",
    "refresh_token": "a refresh token: the access token is renewed through the token URL",
    "client_id": "OAuth2 client id",
    "client_secret": "OAuth2 client secret",
    "scopes": "scopes to request for every operation (default: each operation's own)",
    "token_url": "overrides the token URL the spec declares",
    "client_cert": "client certificate: a PEM path, or a (cert, key) tuple of paths",
}
_KIND_TEXT = {
    "apiKey": "API key",
    "http_basic": "HTTP Basic",
    "http_bearer": "HTTP Bearer",
    "oauth2": "OAuth2",
    "openIdConnect": "OpenID Connect",
    "mutualTLS": "mutual TLS",
}


def env_prefix(api: Api) -> str:
    """``<API>`` of the ``<API>_API_KEY``-style environment variables."""
    return api.package_name.upper()


@dataclass
class ClientAuthView:
    signature: list[str]  # "api_key: str | None = None"
    credentials: list[tuple[str, list[tuple[str, str]]]]  # scheme literal, (key literal, param)
    specs: list[str]  # SecuritySchemeSpec(...) source, one per scheme
    env_prefix: str  # a Python string literal
    docs: list[str]  # docstring lines: "api_key: the 'api_key' scheme"


def _optional(value: str | None) -> str:
    return py_str(value) if value is not None else "None"


def _tuple(values: tuple[str, ...]) -> str:
    inner = ", ".join(py_str(value) for value in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def _dict(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ", ".join(f"{py_str(k)}: {py_str(v)}" for k, v in pairs) + "}"


def _step(step: PipelineStep) -> str:
    fields = [
        f"name={py_str(step.name)}",
        f"method={py_str(step.method)}",
        f"path={py_str(step.path)}",
        f"ttl={float(step.ttl)!r}",
    ]
    if step.depends_on:
        fields.append(f"depends_on={_tuple(step.depends_on)}")
    if step.token_header is not None:
        fields.append(f"token_header={py_str(step.token_header)}")
    if step.token_json is not None:
        fields.append(f"token_json={py_str(step.token_json)}")
    if step.headers:
        fields.append(f"headers={_dict(step.headers)}")
    if step.json:
        fields.append(f"json={_dict(step.json)}")
    return f"PipelineStepSpec({', '.join(fields)})"


def _spec(scheme: SecurityScheme, imports: ImportSet) -> str:
    fields = [
        f"name={py_str(scheme.name)}",
        f"kind={py_str(scheme.kind)}",
        f"parameters={_dict(scheme.parameters)}",
    ]
    if scheme.kind == "apiKey":
        fields.append(f"location={py_str(scheme.location or 'header')}")
        fields.append(f"parameter_name={py_str(scheme.parameter_name or '')}")
    if scheme.flows:
        fields.append(f"flows={_tuple(scheme.flows)}")
    if scheme.flow_token_urls:
        fields.append(f"flow_token_urls={_dict(scheme.flow_token_urls)}")
    for name, value in (
        ("token_url", scheme.token_url),
        ("refresh_url", scheme.refresh_url),
        ("openid_connect_url", scheme.openid_connect_url),
    ):
        if value is not None:
            fields.append(f"{name}={_optional(value)}")
    if scheme.pipeline:
        imports.runtime_names("PipelineStepSpec")
        fields.append(f"pipeline=({', '.join(_step(step) for step in scheme.pipeline)},)")
    if scheme.pipeline_inputs:
        fields.append(f"pipeline_inputs={_tuple(scheme.pipeline_inputs)}")
    return f"SecuritySchemeSpec({', '.join(fields)})"


def client_auth_view(api: Api, imports: ImportSet, *, asynchronous: bool = False) -> ClientAuthView:
    """The generated ``Client``'s credential parameters and scheme declarations.

    ``asynchronous``: for ``AsyncClient``, which takes the same keywords but an
    async transport, and reuses ``Client``'s scheme declarations instead of
    repeating them (so it imports no ``SecuritySchemeSpec``).
    """
    signature: list[str] = []
    credentials: list[tuple[str, list[tuple[str, str]]]] = []
    docs: list[str] = []
    imports.external("collections.abc", "Mapping")
    # Names only the constructor's annotations use are imported for type checkers
    # alone: importing TokenStorage for real would load the token storage module
    # (and with it hashing and logging) into every client's import.
    imports.runtime_names_for_typing("AuthHook", "TokenStorage")
    if asynchronous:
        imports.runtime_names("AsyncApiClient")
        imports.runtime_names_for_typing("AsyncHttpClient")
        spec_imports = ImportSet(imports.module, runtime=imports.runtime)  # specs not rendered
    else:
        imports.runtime_names("ApiClient")
        imports.runtime_names_for_typing("HttpClient")
        spec_imports = imports
    if api.security_schemes and not asynchronous:
        imports.runtime_names("SecuritySchemeSpec")
    for scheme in api.security_schemes:
        entries = []
        for canonical, parameter in scheme.parameters:
            name = identifier(parameter)
            annotation = _ANNOTATIONS.get(canonical, "str | None")
            if canonical == "token_manager":
                imports.runtime_names_for_typing("TokenSource")
            if canonical == "scopes":
                imports.external("collections.abc", "Sequence")
            signature.append(f"{name}: {annotation} = None")
            entries.append((py_str(canonical), name))
        if entries:
            credentials.append((py_str(scheme.name), entries))
            names = ", ".join(parameter for _, parameter in scheme.parameters)
            docs.append(f"{names}: the {scheme.name!r} scheme ({_KIND_TEXT[scheme.kind]})")
    return ClientAuthView(
        signature=signature,
        credentials=credentials,
        specs=[_spec(scheme, spec_imports) for scheme in api.security_schemes],
        env_prefix=py_str(env_prefix(api)),
        docs=docs,
    )


@dataclass
class AuthDoc:
    """One scheme in the README: how to pass its credentials."""

    scheme: SecurityScheme
    kind: str
    parameters: list[tuple[str, str, str]]  # (parameter, meaning, environment variable)
    examples: list[str]  # Client(...) calls, only identifiers and "..." placeholders
    notes: list[tuple[str, list[str]]]  # (label, raw spec strings)


def _examples(scheme: SecurityScheme) -> list[str]:
    names = dict(scheme.parameters)

    def call(*canonical: str) -> str:
        return "Client(" + ", ".join(f'{names[c]}="..."' for c in canonical) + ")"

    flows = set(scheme.flows)
    if scheme.kind == "apiKey":
        return [call("api_key")]
    if scheme.kind == "http_basic":
        return [call("username", "password")]
    if scheme.kind == "http_bearer":
        found = [call("token"), f"Client({names['token_manager']}=TokenManager(provider))"]
        if scheme.pipeline:
            found.append(call(*scheme.pipeline_inputs))
        return found
    if scheme.kind == "oauth2":
        found = []
        if flows & {"authorizationCode", "implicit"}:
            refresh: tuple[str, ...] = ("token", "refresh_token")
            if not (scheme.refresh_url or scheme.token_url):
                refresh = (*refresh, "token_url")  # implicit flows declare no token URL
            found += [call("token"), call(*refresh)]
        if "password" in flows:
            found.append(call("username", "password", "client_id"))
        if "clientCredentials" in flows:
            found.append(call("client_id", "client_secret"))
        return found
    if scheme.kind == "openIdConnect":
        return [call("client_id", "client_secret"), call("token")]
    return [f'Client({names["client_cert"]}=("client.pem", "client.key"))']


def _notes(scheme: SecurityScheme) -> list[tuple[str, list[str]]]:
    """(label, raw spec strings the template prints as inline code through ``comment``)."""
    notes: list[tuple[str, list[str]]] = []
    if scheme.kind == "apiKey":
        notes.append((f"sent in the {scheme.location}", [scheme.parameter_name or ""]))
    if scheme.kind == "oauth2":
        if scheme.flows:
            notes.append(("flows", list(scheme.flows)))
        if scheme.token_url:
            notes.append(("token URL", [scheme.token_url]))
        if scheme.refresh_url:
            notes.append(("refresh URL", [scheme.refresh_url]))
        if scheme.scopes:
            notes.append(("scopes", list(scheme.scopes)))
    if scheme.kind == "openIdConnect" and scheme.openid_connect_url:
        notes.append(("discovery document (fetched once)", [scheme.openid_connect_url]))
    if scheme.pipeline:
        notes.append(
            (
                "token pipeline steps, in order",
                [f"{step.name}: {step.method} {step.path}" for step in scheme.pipeline],
            )
        )
    return notes


def auth_docs(api: Api) -> list[AuthDoc]:
    """What the README's "Authentication" section says per scheme."""
    prefix = env_prefix(api)
    docs = []
    for scheme in api.security_schemes:
        parameters = [
            (
                parameter,
                _MEANINGS.get(canonical, "pipeline input"),
                "" if canonical == "token_manager" else f"{prefix}_{parameter.upper()}",
            )
            for canonical, parameter in scheme.parameters
        ]
        docs.append(
            AuthDoc(
                scheme=scheme,
                kind=_KIND_TEXT[scheme.kind],
                parameters=parameters,
                examples=_examples(scheme) if scheme.parameters else [],
                notes=_notes(scheme),
            )
        )
    return docs
