"""Content types: which one of a ``content`` map an operation uses, and how.

A request body or response may offer several media types.  The generated code
handles one, chosen by a fixed preference so the choice does not depend on
the order the spec lists them:

* requests: JSON, then ``application/x-www-form-urlencoded``, then
  ``multipart/form-data``, then binary (``application/octet-stream``,
  ``image/*``...), then ``text/*``;
* responses: JSON, then binary, then text.

Among media types of the same class the spec's first one wins, except that
``application/json-patch+json`` comes after every other JSON type: its body is
an array of RFC 6902 operations whatever the schema says, so Kubernetes'
``consumes: [json-patch+json, merge-patch+json, ...]`` over an object schema
sends a merge patch, the one an object body is.  Anything else (XML,
``multipart/mixed``...) is sent or received as raw bytes; callers warn about
that.

``text/event-stream`` in a success response is not a body to choose but a
second way to call the operation (``stream()``): :func:`event_stream_entry`
finds it, and the plain call chooses among the other entries (or takes the
event stream as text when it is the only one).  Callers warn about every
entry that is neither chosen nor the event stream (nor the chosen entry's
schema in another encoding), naming its pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = ["MediaClass", "choose", "event_stream_entry", "is_event_stream", "media_class"]

MediaClass = Literal["json", "form", "multipart", "binary", "text", "other"]

_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = frozenset(
    {
        "*/*",
        "application/octet-stream",
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
    }
)
_JSON_PATCH = "application/json-patch+json"
_REQUEST_ORDER: tuple[MediaClass, ...] = ("json", "form", "multipart", "binary", "text", "other")
_RESPONSE_ORDER: tuple[MediaClass, ...] = ("json", "binary", "text", "form", "multipart", "other")


def media_class(content_type: str) -> MediaClass:
    """The class of a media type (parameters such as ``; charset=utf-8`` ignored)."""
    essence = content_type.split(";", 1)[0].strip().lower()
    if essence in ("application/json", "text/json") or essence.endswith("+json"):
        return "json"
    if essence == "application/x-www-form-urlencoded":
        return "form"
    if essence == "multipart/form-data":
        return "multipart"
    if essence in _BINARY_TYPES or essence.startswith(_BINARY_PREFIXES):
        return "binary"
    if essence.startswith("text/"):
        return "text"
    return "other"


def choose(
    content: Mapping[str, Any], *, request: bool
) -> tuple[str, MediaClass, Mapping[str, Any]] | None:
    """``(content type, class, media object)`` of the preferred entry, or ``None`` if empty."""
    order = _REQUEST_ORDER if request else _RESPONSE_ORDER
    best: tuple[tuple[int, bool], str, MediaClass, Mapping[str, Any]] | None = None
    for content_type, media in content.items():
        kind = media_class(str(content_type))
        essence = str(content_type).split(";", 1)[0].strip().lower()
        rank = (order.index(kind), essence == _JSON_PATCH)
        if best is None or rank < best[0]:
            best = (rank, str(content_type), kind, media if isinstance(media, Mapping) else {})
    return None if best is None else (best[1], best[2], best[3])


def is_event_stream(content_type: str) -> bool:
    """Whether a media type is ``text/event-stream`` (parameters ignored)."""
    return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


def event_stream_entry(content: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]] | None:
    """``(content type, media object)`` of the first ``text/event-stream`` entry, or ``None``."""
    for content_type, media in content.items():
        if is_event_stream(str(content_type)):
            return str(content_type), media if isinstance(media, Mapping) else {}
    return None
