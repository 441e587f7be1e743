"""Redaction of credentials before anything is logged, printed or put in a message.

A header or query parameter is treated as a secret when its name is a known
credential carrier or merely *looks* like one (contains ``token``, ``key``,
``secret``, ``password``, ...).  Over-redacting a harmless value costs a log
reader a little; under-redacting leaks a credential, so the test is broad.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "is_sensitive_name",
    "redact_headers",
    "redact_json",
    "redact_pairs",
    "redact_text",
    "redact_url",
]

REDACTED = "[REDACTED]"

_SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-auth-token",
    }
)
_SENSITIVE_FRAGMENT = re.compile(
    r"(token|secret|passw|pwd|api[-_]?key|apikey|auth|session|signature|credential|private)",
    re.IGNORECASE,
)


# The two patterns of free text are compiled when text is first redacted (an
# error message, a log line), not at import: most programs never need them.


@functools.cache
def _sensitive_assignment() -> re.Pattern[str]:
    """``name=value``, ``name: value`` and ``"name": "value"`` where the name looks secret."""
    return re.compile(
        r"(?P<name>[\w-]*" + _SENSITIVE_FRAGMENT.pattern + r"[\w-]*)"
        r"(?P<sep>[\"']?\s*[=:]\s*[\"']?)"
        r"(?P<value>[^\s&\"',;}]+)",
        re.IGNORECASE,
    )


@functools.cache
def _scheme_credentials() -> re.Pattern[str]:
    """``Bearer <token>`` and ``Basic <credentials>``."""
    return re.compile(r"\b(?P<scheme>Bearer|Basic)\s+(?P<value>[\w\-.~+/=]+)", re.I)


def redact_text(text: str) -> str:
    """Free text (an error body, a server's message) with credential-looking values replaced.

    Token endpoints and APIs echo things back in error bodies -- a form
    (``access_token=...&refresh_token=...``), a JSON fragment, an
    ``Authorization`` value -- and such a body is quoted in exception messages.
    Values that the caller never knew (a token the server issued itself) cannot
    be scrubbed by exact match, so they are caught by the name in front of them.
    """
    text = _scheme_credentials().sub(lambda m: f"{m['scheme']} {REDACTED}", text)
    return _sensitive_assignment().sub(lambda m: f"{m['name']}{m['sep']}{REDACTED}", text)


def is_sensitive_name(name: str, extra: Iterable[str] = ()) -> bool:
    """True when a header or parameter called ``name`` may carry a credential."""
    lowered = name.lower()
    if lowered in _SENSITIVE_HEADERS or _SENSITIVE_FRAGMENT.search(lowered):
        return True
    return any(lowered == other.lower() for other in extra)


def redact_headers(headers: Mapping[str, str], extra: Iterable[str] = ()) -> dict[str, str]:
    """A copy of ``headers`` with every credential-looking value replaced."""
    extra_names = tuple(extra)
    return {
        name: (REDACTED if is_sensitive_name(name, extra_names) else value)
        for name, value in headers.items()
    }


def redact_pairs(
    pairs: Iterable[tuple[str, str]], extra: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Query-style ``(name, value)`` pairs with credential-looking values replaced."""
    extra_names = tuple(extra)
    return [
        (name, REDACTED if is_sensitive_name(name, extra_names) else value) for name, value in pairs
    ]


def redact_json(value: Any, extra: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like value with credential-looking object members replaced, at any depth.

    Token and login requests carry ``password``/``client_secret``/``refresh_token``
    in their bodies, so a body shown in a log or a curl command is redacted too.
    """
    extra_names = tuple(extra)
    if isinstance(value, Mapping):
        return {
            key: (
                REDACTED
                if isinstance(key, str) and is_sensitive_name(key, extra_names)
                else redact_json(item, extra_names)
            )
            for key, item in cast("Mapping[object, Any]", value).items()
        }
    if isinstance(value, (list, tuple)):
        return [redact_json(item, extra_names) for item in cast("Sequence[Any]", value)]
    return value


def redact_url(url: str, extra: Iterable[str] = ()) -> str:
    """``url`` without user info and with credential-looking query values replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(redact_pairs(pairs, extra), safe="[]")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
