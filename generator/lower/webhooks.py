"""Webhooks: the events an API sends to the user, typed for the user's receiving endpoint.

A client calls the API; a webhook is the API calling back.  OpenAPI 3.1
describes them under ``webhooks`` (an event name -> a path item whose
operation's request body is the payload), 3.0 and 3.1 under an operation's
``callbacks`` (a name -> an expression -> a path item).  A receiver (a Django,
Flask or FastAPI view) needs the payload types and a way to turn the bytes it
received into the right one, so each event's payload is lowered like a
request body and the generated ``webhooks`` module parses a delivery into it.

Telling events apart: when every payload is an object with one property that
the spec fixes to a different value in each (``type: {const: invoice.paid}``,
or a one-value ``enum``), that property dispatches; otherwise the payload
types are tried as one union.

Signatures: an API that signs per Standard Webhooks declares the
``webhook-signature`` header on its webhook operations (or the document says
``x-forgegen-webhooks: {signatures: standard-webhooks}``, which an overlay can
add); the module then offers ``verify`` and ``unwrap``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..diagnostics import Diagnostics, join_pointer
from ..ir import TypeRef, Webhook, Webhooks
from ..prose import prose
from .document import as_list, as_map, resolve
from .media import choose
from .modules import with_imports
from .naming import pascal_case
from .operations import METHODS, RawOperation
from .schemas import SchemaLowerer

__all__ = ["Payload", "RawWebhook", "collect_webhooks", "lower_webhooks", "place_webhooks"]

#: Property names tried first when several could tell the events apart.
_USUAL_DISCRIMINATORS = ("type", "event", "event_type", "eventType", "kind")
_SIGNATURE_HEADER = "webhook-signature"


@dataclass(frozen=True)
class RawWebhook:
    """One webhook operation before lowering, and the name its event goes by."""

    name: str
    operation: RawOperation


def collect_webhooks(document: Mapping[str, Any]) -> list[RawWebhook]:
    """Every 3.1 webhook, then every callback of every operation, in document order."""
    found: list[RawWebhook] = []
    for name, item in as_map(document.get("webhooks")).items():
        pointer = join_pointer("#/webhooks", name)
        found.extend(_operations(document, str(name), as_map(item), pointer))
    for path, raw_item in as_map(document.get("paths")).items():
        path_pointer = join_pointer("#/paths", path)
        path_item, _ = resolve(document, as_map(raw_item), path_pointer)
        for method in METHODS:
            operation = as_map(path_item.get(method))
            for name, callback in as_map(operation.get("callbacks")).items():
                base = join_pointer(path_pointer, method, "callbacks", name)
                node, own = resolve(document, as_map(callback), base)
                for expression, item in node.items():
                    if isinstance(expression, str) and expression.startswith("x-"):
                        continue
                    event = f"{name} {expression}"
                    pointer = join_pointer(own, expression)
                    found.extend(_operations(document, event, as_map(item), pointer))
    return found


def _operations(
    document: Mapping[str, Any], name: str, item: Mapping[str, Any], pointer: str
) -> Iterator[RawWebhook]:
    resolved, own = resolve(document, item, pointer)
    for method in METHODS:
        if method in resolved:
            node = as_map(resolved[method])
            operation = RawOperation(
                path=name,
                method=method,
                node=node,
                path_item=resolved,
                pointer=join_pointer(own, method),
                path_pointer=own,
                tag="webhooks",
            )
            yield RawWebhook(name, operation)


@dataclass(frozen=True)
class Payload:
    """A webhook with its payload type (before the payload's classes are placed)."""

    webhook: RawWebhook
    type: TypeRef
    schema: Mapping[str, Any]


def lower_webhooks(
    raw: list[RawWebhook],
    schemas: SchemaLowerer,
    document: Mapping[str, Any],
    diagnostics: Diagnostics,
) -> list[Payload]:
    """Each webhook's payload, lowered (its classes join the package's) before placing.

    Only a JSON payload is typed: a receiver parses what it was sent, and the
    events APIs send are JSON.  A webhook without one is left out, with a
    warning at its pointer.
    """
    payloads = []
    for webhook in raw:
        operation = webhook.operation
        pointer = join_pointer(operation.pointer, "requestBody")
        body, own = resolve(document, as_map(operation.node.get("requestBody")), pointer)
        chosen = choose(as_map(body.get("content")), request=True)
        if (
            chosen is None
            or chosen[1] != "json"
            or not isinstance(chosen[2].get("schema"), Mapping)
        ):
            diagnostics.warn("the webhook has no JSON payload to type; left out", operation.pointer)
            continue
        content_type, _, media = chosen
        schema_pointer = join_pointer(own, "content", content_type, "schema")
        context = pascal_case(webhook.name, fallback="Webhook") + "Event"
        payload_type = schemas.type_of(media["schema"], schema_pointer, context)
        schema, _ = resolve(document, as_map(media["schema"]), schema_pointer)
        payloads.append(Payload(webhook, payload_type, schema))
    return payloads


def place_webhooks(
    payloads: list[Payload],
    document: Mapping[str, Any],
    modules: Mapping[str, str],
    model_names: frozenset[str],
) -> Webhooks | None:
    """The IR of the ``webhooks`` module, with payload imports from ``modules``."""
    if not payloads:
        return None
    discriminator, values = _discriminator(document, [payload.schema for payload in payloads])
    events = []
    for index, payload in enumerate(payloads):
        placed = with_imports(payload.type, modules)
        raw = payload.webhook.operation
        events.append(
            Webhook(
                name=payload.webhook.name,
                payload=placed,
                payload_is_model=placed.annotation in model_names,
                event=values[index] if discriminator is not None else None,
                summary=prose(raw.node, "summary", raw.pointer),
                description=prose(raw.node, "description", raw.pointer),
            )
        )
    signed = _standard_signatures(document, [payload.webhook for payload in payloads])
    return Webhooks(tuple(events), discriminator, signed)


def _fixed_values(document: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, str]:
    """Properties of ``schema`` whose value the spec fixes to one string."""
    fixed: dict[str, str] = {}
    for name, raw in as_map(schema.get("properties")).items():
        node, _ = resolve(document, as_map(raw), "#")
        const = node.get("const")
        enum = as_list(node.get("enum"))
        if isinstance(const, str):
            fixed[str(name)] = const
        elif len(enum) == 1 and isinstance(enum[0], str):
            fixed[str(name)] = enum[0]
    return fixed


def _discriminator(
    document: Mapping[str, Any], schemas: list[Mapping[str, Any]]
) -> tuple[str | None, list[str]]:
    """The property that tells every payload apart, and its value per payload."""
    fixed = [_fixed_values(document, schema) for schema in schemas]
    common = set(fixed[0]).intersection(*fixed[1:]) if fixed else set()
    ordered = [name for name in _USUAL_DISCRIMINATORS if name in common]
    ordered += sorted(common - set(ordered))
    for name in ordered:
        values = [entry[name] for entry in fixed]
        if len(set(values)) == len(values):
            return name, values
    return None, []


def _standard_signatures(document: Mapping[str, Any], webhooks: list[RawWebhook]) -> bool:
    extension = as_map(document.get("x-forgegen-webhooks")).get("signatures")
    if extension == "standard-webhooks":
        return True
    for webhook in webhooks:
        raw = webhook.operation
        parameters = [
            *as_list(raw.path_item.get("parameters")),
            *as_list(raw.node.get("parameters")),
        ]
        for parameter in parameters:
            node, _ = resolve(document, as_map(parameter), raw.pointer)
            name = node.get("name")
            header = node.get("in") == "header" and isinstance(name, str)
            if header and str(name).lower() == _SIGNATURE_HEADER:
                return True
    return False
