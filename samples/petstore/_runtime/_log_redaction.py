"""Query values blanked in the HTTP libraries' own log lines (urllib3, httpx).

urllib3 logs each request target at DEBUG (``"GET /path?query HTTP/1.1"``) and
httpx each request URL at INFO (``"HTTP Request: GET http://host/path?query"``),
verbatim -- so an API key sent as a query parameter ends up in any log at that
level.  Those loggers do not know which parameters are credentials (an auth
hook may use any name), so every value is replaced: over-redacting costs a
reader the page number, not a key.  Each transport installs the filter on its
library's logger when it is imported (by logger name: the library need not be
imported first, and logging is loaded only with a transport).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from .redaction import REDACTED

__all__ = ["QueryRedactingFilter", "blank_query", "redact_library_logger"]


def blank_query(target: str) -> str:
    """``target`` (a path or URL) with every query value replaced by the redaction mark."""
    path, _, query = target.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    return f"{path}?" + "&".join(f"{name}={REDACTED}" for name, _value in pairs)


def _loggable_url(arg: object) -> str | None:
    """The text of a log argument that is a URL or request target with a query."""
    if isinstance(arg, str):
        text = arg
    elif type(arg).__name__ == "URL":  # httpx.URL (and look-alikes): logged via str()
        text = str(arg)
    else:
        return None
    return text if "?" in text else None


class QueryRedactingFilter(logging.Filter):
    """Rewrites a record's arguments so no query value reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            texts = [_loggable_url(arg) for arg in record.args]
            if any(text is not None for text in texts):
                record.args = tuple(
                    arg if text is None else blank_query(text)
                    for arg, text in zip(record.args, texts, strict=True)
                )
        return True


def redact_library_logger(name: str) -> None:
    """Install :class:`QueryRedactingFilter` on logger ``name`` (once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(existing, QueryRedactingFilter) for existing in logger.filters):
        logger.addFilter(QueryRedactingFilter())
