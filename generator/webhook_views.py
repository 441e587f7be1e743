"""What the ``webhooks`` module template prints: the IR's :class:`~forgegen.ir.Webhooks`, as names.

The module's own names (the event union, the error classes) must not collide
with the payload classes it imports, so they are taken from a scope that
holds those first; every spec text stays raw here and is escaped by the
template's filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codegen import ImportSet, RuntimeMode, annotation
from .ir import Webhooks
from .lower.naming import NameScope

__all__ = ["WebhookModuleView", "webhook_module_view"]

MODULE = "webhooks"


@dataclass(frozen=True)
class EventView:
    """One event: how the docstring names it and how its payload is validated."""

    label: str  # raw text: the discriminator's value, else the spec's name for the event
    event: str | None  # raw text: the discriminator's value
    summary: str | None  # raw text: its first line
    annotation: str
    validate: str  # a call taking the decoded JSON value


@dataclass(frozen=True)
class WebhookModuleView:
    """The ``webhooks`` module: its events, its names and its imports."""

    title: str  # raw text
    events: tuple[EventView, ...]
    discriminator: str | None  # raw text
    signatures: bool
    union_name: str
    unknown_error: str
    signature_error: str
    union: str
    imports: list[str]


def webhook_module_view(title: str, webhooks: Webhooks, runtime: RuntimeMode) -> WebhookModuleView:
    """The view of the ``webhooks`` module for ``webhooks`` of the API titled ``title``."""
    imports = ImportSet(MODULE, runtime=runtime)
    imports.external("__future__", "annotations")
    imports.external("typing", "TypeAlias")
    taken = NameScope(reserved_suffix="Type", counter_joiner="")
    for event in webhooks.events:
        imports.add_type(event.payload)
        for name in event.payload.models:
            taken.claim(name)
    union_name = taken.take("WebhookEvent")
    unknown_error = taken.take("UnknownWebhookEventError")
    signature_error = taken.take("WebhookSignatureError")
    adapted = webhooks.discriminator is None or not all(e.payload_is_model for e in webhooks.events)
    if adapted:
        imports.external("pydantic", "TypeAdapter")
    imports.external("import json" if webhooks.discriminator is not None else "import functools")
    if webhooks.standard_signatures:
        imports.external("collections.abc", "Mapping")
    members = list(dict.fromkeys(annotation(e.payload.annotation) for e in webhooks.events))
    events = tuple(
        EventView(
            label=event.event if event.event is not None else event.name,
            event=event.event,
            summary=_first_line(event.summary or event.description),
            annotation=annotation(event.payload.annotation),
            validate=(
                f"{annotation(event.payload.annotation)}.model_validate"
                if event.payload_is_model
                else f"TypeAdapter({annotation(event.payload.annotation)}).validate_python"
            ),
        )
        for event in webhooks.events
    )
    return WebhookModuleView(
        title=title,
        events=events,
        discriminator=webhooks.discriminator,
        signatures=webhooks.standard_signatures,
        union_name=union_name,
        unknown_error=unknown_error,
        signature_error=signature_error,
        union=" | ".join(members),
        imports=imports.lines(),
    )


def _first_line(text: str | None) -> str | None:
    """The first non-empty line of ``text``: what fits one bullet of the module docstring."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return None
