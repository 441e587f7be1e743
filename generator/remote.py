"""Fetching a remote ``$ref`` target, only when the user allowed it (``--allow-remote-refs``).

A spec is untrusted, so following its URLs is off by default: it would let a
document make the generator read from any host the machine can reach.  When
the user turns it on, fetching stays bounded: http(s) only (redirects too),
a timeout, a size limit, and every failure is a :class:`SpecError` naming the
place of the reference and the URL.  A fetched document gets a synthetic path
(its identity in the bundle) and is named by its URL in messages; refs inside
it resolve against that URL.
"""

from __future__ import annotations

import hashlib
import posixpath
from pathlib import Path
from urllib.parse import urlsplit

from .diagnostics import SpecError
from .loader import LoadedDocument, parse_text
from .positions import LineMap

__all__ = ["MAX_REMOTE_BYTES", "REMOTE_ROOT", "fetch_document", "is_remote"]

#: Synthetic directory that fetched documents live under (never on disk).
REMOTE_ROOT = Path("/__forgegen_remote__")
MAX_REMOTE_BYTES = 10 * 1024 * 1024
_TIMEOUT = 10.0


def is_remote(document: LoadedDocument) -> bool:
    """Whether ``document`` was fetched (its ``name`` is then its URL)."""
    return document.path.is_relative_to(REMOTE_ROOT)


def _remote_path(url: str) -> Path:
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    basename = posixpath.basename(urlsplit(url).path) or "document"
    return REMOTE_ROOT / digest / basename


def fetch_document(
    url: str, *, timeout: float = _TIMEOUT, max_bytes: int = MAX_REMOTE_BYTES
) -> LoadedDocument:
    """GET ``url`` and parse it; the resolver places errors at the referencing ``$ref``."""

    def failed(reason: str) -> SpecError:
        return SpecError(f"remote $ref {url!r}: {reason}")

    if urlsplit(url).scheme not in ("http", "https"):
        raise failed("only http and https URLs can be fetched")
    # requests costs ~50 ms to import; only --allow-remote-refs runs need it.
    import requests  # noqa: PLC0415

    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            if urlsplit(response.url).scheme not in ("http", "https"):
                raise failed("redirected away from http(s)")
            if response.status_code != 200:
                raise failed(f"the server answered {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    raise failed(f"larger than {max_bytes} bytes; refused")
                chunks.append(chunk)
    except requests.RequestException as error:
        raise failed(f"could not be fetched ({type(error).__name__})") from None
    raw = b"".join(chunks)
    data, text, kind = parse_text(raw, url)
    return LoadedDocument(
        path=_remote_path(url),
        name=url,
        data=data,
        format=kind,
        sha256=hashlib.sha256(raw).hexdigest(),
        lines=LineMap(text, is_json=kind == "json"),
    )
