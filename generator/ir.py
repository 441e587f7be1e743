"""The intermediate representation: a finished, sanitized description of a client.

``lower`` is the only stage that looks at OpenAPI and decides anything: Python
names (unique, keyword-safe), types, model/enum/union shapes, how each
parameter is encoded and each response parsed, which security requirements an
operation has.  ``render`` only pours the IR into templates.  So the IR holds
*decisions*, in the form templates print them:

* names are valid, unique Python identifiers;
* a :class:`TypeRef` carries the annotation text *and* the imports it needs;
* every string that came from the spec and reaches generated code is in a
  field documented as "raw text": templates pass it through one of the escaping
  filters (docstring, comment, string literal) -- never inline;
* collections are tuples in a deterministic order (the spec's order, or sorted
  where the spec has none), so equal input gives byte-identical output.

Modules are named by their dotted path *inside* the generated package
(``"models.pet"``, ``"api.pet.get_pet_by_id"``); the renderer turns them into
relative imports, so the package works wherever it is placed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "RUNTIME_MODULE",
    "Api",
    "BodyEncoding",
    "EnumMember",
    "EnumType",
    "EventParse",
    "EventStream",
    "Import",
    "Model",
    "ModelField",
    "Operation",
    "Parameter",
    "ParameterLocation",
    "ParameterStyle",
    "PipelineStep",
    "RequestBody",
    "Response",
    "ResponseParse",
    "SecurityScheme",
    "Server",
    "Tag",
    "TypeAlias",
    "TypeRef",
    "Webhook",
    "Webhooks",
]


#: ``Import.module`` of a name the runtime provides: imported from the vendored
#: ``_runtime`` copy, or from ``requestforge`` when the package uses it installed.
RUNTIME_MODULE = "_runtime"


@dataclass(frozen=True, order=True)
class Import:
    """``from <package>.<module> import <name>``; ``module`` is package-relative
    (``"models.pet"``) or absolute for the standard library and third parties
    (``"datetime"``, ``"pydantic"``) -- ``external`` tells which."""

    module: str
    name: str
    external: bool = False


@dataclass(frozen=True)
class TypeRef:
    """A Python type as it is written in an annotation, e.g. ``"list[Pet] | None"``.

    ``imports`` is everything the annotation needs.  ``models`` names the
    package-relative model/enum/alias classes it mentions (for lazy imports and
    forward references in recursive models).
    """

    annotation: str
    imports: frozenset[Import] = frozenset()
    models: frozenset[str] = frozenset()

    @property
    def is_any(self) -> bool:
        return self.annotation == "Any"

    def __reduce__(
        self,
    ) -> tuple[
        Callable[[str, tuple[Import, ...], tuple[str, ...]], TypeRef],
        tuple[str, tuple[Import, ...], tuple[str, ...]],
    ]:
        # Sets pickle in hash order, which changes from process to process; sorted,
        # equal types pickle to equal bytes (the render cache keys on them).
        return _restore_type_ref, (
            self.annotation,
            tuple(sorted(self.imports)),
            tuple(sorted(self.models)),
        )


def _restore_type_ref(
    annotation: str, imports: tuple[Import, ...], models: tuple[str, ...]
) -> TypeRef:
    return TypeRef(annotation, frozenset(imports), frozenset(models))


@dataclass(frozen=True)
class ModelField:
    """One property of a model.

    ``python_name`` is the attribute; ``wire_name`` the JSON key (raw text,
    used as the pydantic alias).  ``type`` already includes ``| None`` when the
    value may be null *or* the field is optional.  Optional fields default to
    ``None`` unless ``default`` (Python source of the value, e.g. ``"'available'"``,
    ``"10"``, ``"PetStatus.AVAILABLE"`` or ``"date(2024, 1, 2)"``, made by lower's
    default writer) is given; ``type``'s imports and models also cover what that
    source names.  ``default_factory``: the value is mutable (a list, a dict, a
    model), so each instance gets a fresh one (``Field(default_factory=...)``).
    "Absent" and "explicit null" stay distinct on the wire because requests are
    serialised with ``exclude_unset=True`` (pydantic tracks which fields were set).
    """

    python_name: str
    wire_name: str
    type: TypeRef
    required: bool
    default: str | None = None
    description: str | None = None  # raw text
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    default_factory: bool = False


@dataclass(frozen=True)
class Model:
    """A pydantic model class in its own module.

    ``extra``: the type of additional properties (``None``: not allowed or not
    declared -- unknown keys are still ignored on input so newer servers do not
    break older clients).
    """

    name: str
    module: str
    fields: tuple[ModelField, ...]
    description: str | None = None  # raw text
    extra: TypeRef | None = None
    pointer: str = ""  # JSON pointer in the spec (raw text, for docstrings)
    deprecated: bool = False


@dataclass(frozen=True)
class EnumMember:
    """``name``: a Python identifier; ``value``: Python literal source (``"'sold'"``)."""

    name: str
    value: str
    description: str | None = None  # raw text


@dataclass(frozen=True)
class EnumType:
    """An *open* enum: values the spec does not list parse into pseudo-members
    instead of failing, because servers add values before clients regenerate."""

    name: str
    module: str
    value_type: Literal["str", "int", "float"]
    members: tuple[EnumMember, ...]
    description: str | None = None  # raw text
    pointer: str = ""


@dataclass(frozen=True)
class TypeAlias:
    """A named type that is not a class: a union (discriminated or not), a
    list, a map, a constrained primitive.  ``target`` is its definition."""

    name: str
    module: str
    target: TypeRef
    description: str | None = None  # raw text
    pointer: str = ""


ParameterLocation = Literal["path", "query", "header", "cookie"]
ParameterStyle = Literal[
    "simple",  # path/header: comma-joined
    "label",  # path: .a.b
    "matrix",  # path: ;x=a,b
    "form",  # query/cookie, explode=False: x=a,b
    "form_explode",  # query, explode=True: x=a&x=b (objects: one pair per property)
    "space_delimited",
    "pipe_delimited",
    "deep_object",  # x[a]=1&x[b]=2
    "json",  # parameter with ``content: application/json``: the JSON text
]


@dataclass(frozen=True)
class Parameter:
    """An operation parameter; ``python_name`` is its keyword argument."""

    python_name: str
    wire_name: str  # raw text
    location: ParameterLocation
    type: TypeRef
    required: bool
    style: ParameterStyle
    default: str | None = None  # Python literal source
    description: str | None = None  # raw text
    deprecated: bool = False
    # raw text: its schema's description and title, those present (the docstring's fallback)
    schema_prose: tuple[str, ...] = ()


BodyEncoding = Literal["json", "form", "multipart", "binary", "text"]


@dataclass(frozen=True)
class RequestBody:
    """The request body lower chose among the spec's content types (JSON first)."""

    python_name: str
    type: TypeRef
    content_type: str  # raw text
    encoding: BodyEncoding
    required: bool
    description: str | None = None  # raw text
    # raw text: its schema's description and title, those present (the docstring's fallback)
    schema_prose: tuple[str, ...] = ()


ResponseParse = Literal[
    "model",  # ``Type.model_validate_json(content)``
    "adapter",  # ``TypeAdapter(type).validate_json(content)``: unions, lists, primitives
    "json",  # ``response.json()`` with no schema (``Any``)
    "bytes",
    "text",
    "none",  # no content
]


EventParse = Literal[
    "model",  # ``Type.model_validate_json(event.data)``
    "adapter",  # ``TypeAdapter(type).validate_json(event.data)``: unions, lists, primitives
    "text",  # ``event.data`` as it came (a ``type: string`` schema, or none)
]


@dataclass(frozen=True)
class EventStream:
    """A success response's ``text/event-stream`` alternative: what ``stream()`` yields.

    ``type`` is what each event's ``data`` is validated as: the media type's
    ``itemSchema`` (OpenAPI 3.2) when it has one, else its ``schema``.
    """

    type: TypeRef
    parse: EventParse
    content_type: str  # raw text


@dataclass(frozen=True)
class Response:
    """One declared response.  ``status`` is ``"200"``, ``"4XX"`` or ``"default"``.

    For error statuses ``error_class`` names the exception class raised for it
    (generated in the operation's module, subclassing the client's status error).
    ``event_stream``: a success response that also (or only) offers
    ``text/event-stream``; ``parse``/``type`` stay the plain call's.
    """

    status: str
    parse: ResponseParse
    type: TypeRef | None
    content_type: str | None = None  # raw text
    description: str | None = None  # raw text
    error_class: str | None = None
    event_stream: EventStream | None = None


PaginationStyle = Literal["link", "cursor", "offset", "page"]


@dataclass(frozen=True)
class Pagination:
    """How an operation's results continue on further pages (``iterate()`` follows them).

    ``items_path`` leads from the parsed body to the item list: one
    ``(attribute, may be None)`` per step; empty when the body is the list.
    Parameter names and pointers are raw text (wire names, JSON pointers).
    """

    style: PaginationStyle
    item_type: TypeRef
    items_path: tuple[tuple[str, bool], ...] = ()
    items_nullable: bool = False
    cursor_param: str | None = None
    next_cursor: str | None = None
    cursor_item_field: str | None = None
    has_more: str | None = None
    offset_param: str | None = None
    limit_param: str | None = None


@dataclass(frozen=True)
class Operation:
    """One endpoint: a module ``api/<tag>/<python_name>.py`` and a ``Client`` method."""

    python_name: str
    module: str
    tag: str  # the Tag.python_name of its resource
    method: str  # upper-case HTTP method
    path: str  # path template, raw text; placeholders are the wire names
    parameters: tuple[Parameter, ...]  # the spec's order (path-level ones merged in)
    body: RequestBody | None
    responses: tuple[Response, ...]
    success_type: TypeRef  # what ``sync()`` returns (``None`` annotation when nothing)
    security: tuple[tuple[str, ...], ...]  # OR of ANDs, by SecurityScheme.name; () = none
    summary: str | None = None  # raw text
    description: str | None = None  # raw text
    deprecated: bool = False
    operation_id: str | None = None  # raw text
    pointer: str = ""
    # scheme name -> the scopes its requirements ask for (union, spec order); none: left out
    security_scopes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    pagination: Pagination | None = None
    # the wire name of the JSON body's boolean property that switches streaming on
    # (``stream``, the OpenAI/Anthropic convention); only for operations with an event stream
    stream_flag: str | None = None

    @property
    def event_streams(self) -> tuple[EventStream, ...]:
        """The event-stream alternatives of the success responses, in the spec's order."""
        return tuple(r.event_stream for r in self.responses if r.event_stream is not None)

    def located(self, location: ParameterLocation) -> tuple[Parameter, ...]:
        """The parameters in one location, in the spec's order."""
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class Tag:
    """A resource on the client: ``client.<python_name>.<operation>(...)``."""

    name: str  # raw text
    python_name: str
    class_name: str
    operations: tuple[Operation, ...]
    description: str | None = None  # raw text


@dataclass(frozen=True)
class PipelineStep:
    """One step of an ``x-forgegen-token-pipeline``: an operation that yields a token."""

    name: str  # raw text (validated: a plain identifier)
    method: str  # upper-case HTTP method of the named operation
    path: str  # raw text: the operation's path (no path parameters)
    ttl: float  # seconds the step's token is cached
    depends_on: tuple[str, ...] = ()
    token_header: str | None = None  # raw text: response header holding the token
    token_json: str | None = None  # raw text: dotted JSON path of the token
    headers: tuple[tuple[str, str], ...] = ()  # raw text templates ({step} / {input})
    json: tuple[tuple[str, str], ...] = ()  # raw text templates of a flat JSON body


@dataclass(frozen=True)
class SecurityScheme:
    """A ``components.securitySchemes`` entry and the ``Client`` parameters it takes."""

    name: str  # raw text: the key in the spec
    python_prefix: str  # "" unless its kind repeats or its parameters collide: its snake_case name
    kind: Literal["apiKey", "http_basic", "http_bearer", "oauth2", "openIdConnect", "mutualTLS"]
    location: Literal["header", "query", "cookie"] | None = None  # apiKey
    parameter_name: str | None = None  # apiKey header/query/cookie name (raw text)
    token_url: str | None = None  # oauth2 (raw text)
    refresh_url: str | None = None  # oauth2 (raw text)
    authorization_url: str | None = None  # oauth2 (raw text)
    flows: tuple[str, ...] = ()  # oauth2 flow names in the spec's order
    flow_token_urls: tuple[tuple[str, str], ...] = ()  # oauth2 (flow, its tokenUrl), raw text
    scopes: tuple[str, ...] = ()  # raw text
    openid_connect_url: str | None = None  # raw text
    description: str | None = None  # raw text
    # (canonical credential, Client parameter name) in signature order: ("token", "bearer_token")
    parameters: tuple[tuple[str, str], ...] = ()
    pipeline: tuple[PipelineStep, ...] = ()  # x-forgegen-token-pipeline (http bearer only)
    pipeline_inputs: tuple[str, ...] = ()  # canonical names of the pipeline's extra parameters


@dataclass(frozen=True)
class Server:
    url: str  # raw text
    description: str | None = None  # raw text


@dataclass(frozen=True)
class Webhook:
    """One event the API sends to the user's endpoint (a 3.1 webhook or a callback).

    ``payload`` is the type of its request body.  ``event`` is the value of the
    discriminating body property (:attr:`Webhooks.discriminator`) that names it,
    when the spec fixes one (``const`` or a one-value ``enum``).
    """

    name: str  # raw text: the spec's key (or ``<callback> <expression>``)
    payload: TypeRef
    payload_is_model: bool
    event: str | None = None  # raw text
    summary: str | None = None  # raw text
    description: str | None = None  # raw text


@dataclass(frozen=True)
class Webhooks:
    """Everything the generated ``webhooks`` module needs.

    ``discriminator`` is the wire name of the body property whose value tells
    the events apart (``None``: the payload types are tried as one union).
    ``standard_signatures``: the API signs deliveries per Standard Webhooks
    (``webhook-id``/``webhook-timestamp``/``webhook-signature``), so the module
    offers ``verify`` and ``unwrap``.
    """

    events: tuple[Webhook, ...]
    discriminator: str | None
    standard_signatures: bool


@dataclass(frozen=True)
class Api:
    """Everything render needs to write one client package."""

    package_name: str
    title: str  # raw text
    version: str  # raw text
    description: str | None  # raw text
    servers: tuple[Server, ...]
    security_schemes: tuple[SecurityScheme, ...]
    tags: tuple[Tag, ...]
    models: tuple[Model, ...]
    enums: tuple[EnumType, ...]
    aliases: tuple[TypeAlias, ...]
    warnings: tuple[str, ...] = field(default=())
    webhooks: Webhooks | None = None
