"""One request and its whole response over a connection of a urllib3 pool.

The transport's fast path (see :mod:`._transport`) used ``pool.urlopen`` and
streamed the body out of the ``urllib3.HTTPResponse`` it returns.  Building
that response object (header-parsing checks, an ``HTTPHeaderDict``, decoder
set-up, the ``_error_catcher`` context manager around every read) plus
``urlopen``'s own bookkeeping cost about 130 µs a call on loopback: a third of
a generated client's latency, more than everything the runtime itself does
(issue 8).  This module does what ``urlopen`` + ``stream`` do for the case the
fast path sends -- no proxy, no redirect following, retries off -- with the
same connection handling and the *same exceptions*, built the way urllib3
builds them, so the transport maps both paths alike:

* :func:`open_response` takes a connection from the pool, sends the request
  -- the bytes urllib3's ``HTTPConnection.request`` would send, its header
  lines written straight into ``http.client``'s buffer (the transport has
  already checked them, with requests' stricter rules) -- and reads the
  status line and headers with ``http.client``.  Failures become
  what ``urlopen`` raises with the adapter's ``Retry`` (``MaxRetryError`` for
  connection failures, ``ProtocolError``/``ReadTimeoutError`` for read
  failures); the connection is discarded as ``urlopen`` discards it.
* :func:`read_body` reads a plain body (a ``Content-Length`` or
  read-until-close body, no ``Content-Encoding``) with ``http.client`` and
  maps failures as ``HTTPResponse._error_catcher`` does.  A chunked or
  content-encoded body goes through a ``urllib3.HTTPResponse`` after all, so
  urllib3's own chunk parser and decoders handle it.  Either way the
  connection returns to the pool (closed when it failed).
* :class:`BodyReader` hands a body out piece by piece as it arrives
  (``HttpClient.stream``): ``http.client``'s ``read1`` for a plain or chunked
  body, ``urllib3.HTTPResponse.read1`` for a content-encoded one.  Failures
  are mapped as :func:`read_body` maps them; the connection returns to the
  pool at the end of the body, or is closed when the reader is closed early.

It leans on urllib3 2.x internals (``_get_conn``/``_put_conn``,
``_validate_conn``, ``_raise_timeout``) and on ``http.client``'s header
buffer (``_output``); the runtime requires urllib3 2 (``pyproject.toml``).
"""

from __future__ import annotations

# This module is urllib3's urlopen over its pool's own internals (urllib3 2 is
# pinned for that): it calls the pool's and connection's underscored members.
# pyright: reportPrivateUsage=false
import email.parser
import errno
import http.client
import re
import socket
from collections.abc import Mapping
from typing import Any, cast

import urllib3
import urllib3.connection
from urllib3 import HTTPHeaderDict
from urllib3.connection import BaseSSLError
from urllib3.exceptions import (
    IncompleteRead,
    MaxRetryError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util import SKIP_HEADER  # a header value meaning "leave this default out"
from urllib3.util.retry import Retry
from urllib3.util.ssl_match_hostname import CertificateError

from .models import Headers

__all__ = ["SKIP_HEADER", "BodyReader", "Exchange", "open_response", "read_body"]

_CHUNK = 10 * 1024  # what requests streams a body in (``CONTENT_CHUNK_SIZE``)
#: What urllib3 sends when a request has no User-Agent of its own.
_DEFAULT_USER_AGENT = f"python-urllib3/{getattr(urllib3, '__version__', '2')}"
_normalize_header_values = getattr(urllib3.connection, "_normalize_header_values", None)


#: A header line ``http.client``'s email parser reads as one ``name: value`` pair
#: and nothing else: a name of the characters its ``headerRE`` allows, a colon,
#: optional blanks, a value without CR, then CRLF (LF only at the end: the
#: line came from ``readline``).
_PLAIN_HEADER_LINE = re.compile(rb"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r]*)\r\n\Z")


def _plain_items(lines: list[bytes]) -> list[tuple[str, str]] | None:
    """The ``(name, value)`` pairs of a header block, or ``None`` if it is not plain.

    Plain: every line matches :data:`_PLAIN_HEADER_LINE` (no folding, no
    ``From `` line, no stray CR, which the email parser splits lines at), the
    block ends with an empty line, and the body is not ``multipart``/``message``
    (whose empty body the email parser would note defects for).  Then the pairs
    are exactly the email parser's, and they need no obsolete-fold undoing.
    """
    if len(lines) < 1 or lines[-1] not in (b"\r\n", b"\n"):
        return None
    items: list[tuple[str, str]] = []
    for line in lines[:-1]:
        match = _PLAIN_HEADER_LINE.match(line)
        if match is None:
            return None
        items.append((match[1].decode("latin-1"), match[2].decode("latin-1")))
        if match[1].lower() == b"content-type" and (
            b"multipart" in match[2].lower() or b"message" in match[2].lower()
        ):
            return None
    return items


class _Response(http.client.HTTPResponse):
    """``http.client``'s response, its head read without the email parser when it is plain.

    ``http.client.parse_headers`` hands every header block to ``email.parser``
    (~40 µs for a five-header response, a sixth of a loopback call).  For a
    plain block (:func:`_plain_items`) this builds the same ``HTTPMessage``
    directly; anything else still goes through the email parser.  The rest of
    ``begin`` is ``http.client``'s (CPython 3.11), reading the header values
    from the pairs.
    """

    plain_items: list[tuple[str, str]] | None = None

    def begin(self) -> None:
        started = cast(object, self.headers)  # typeshed: never None; it is until begin()
        if started is not None:
            return
        if self.debuglevel > 0:
            super().begin()
            return
        while True:
            head = self._read_status()  # type: ignore[attr-defined]
            version, status, reason = cast("tuple[str, int, str]", head)
            if status != http.client.CONTINUE:
                break
            http.client._read_headers(self.fp)  # type: ignore[attr-defined]
        self.code = self.status = status
        self.reason = reason.strip()
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise http.client.UnknownProtocol(version)
        message, get, self.plain_items = _read_head(self.fp)
        self.headers = self.msg = message
        transfer_encoding = get("transfer-encoding")
        self.chunked = bool(transfer_encoding and transfer_encoding.lower() == "chunked")
        if self.chunked:
            self.chunk_left = None
        self.will_close = _will_close(self.version, get)
        self.length = None
        length = get("content-length")
        if length and not self.chunked:
            try:
                self.length = int(length)
            except ValueError:
                self.length = None
            else:
                if self.length < 0:
                    self.length = None
        if status in (204, 304) or 100 <= status < 200 or self._method == "HEAD":  # type: ignore[attr-defined]
            self.length = 0
        if not self.will_close and not self.chunked and self.length is None:
            self.will_close = True


def _put_back(
    pool: urllib3.HTTPConnectionPool, connection: urllib3.connection.HTTPConnection | None
) -> None:
    """``pool._put_conn(connection)``.

    urllib3 types that parameter as its private ``BaseHTTPConnection`` protocol,
    which its own ``HTTPConnection`` does not match for pyright: the call goes
    through ``Any`` rather than naming urllib3's private type.
    """
    cast(Any, pool)._put_conn(connection)


def _read_head(fp: Any) -> tuple[http.client.HTTPMessage, Any, list[tuple[str, str]] | None]:
    """The header block from ``fp``: its message, a first-value lookup by lower-case
    name, and its pairs when it is plain (see :func:`_plain_items`)."""
    lines = cast("list[bytes]", http.client._read_headers(fp))  # type: ignore[attr-defined]
    items = _plain_items(lines)
    if items is None:
        text = b"".join(lines).decode("iso-8859-1")
        message = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
        return message, message.get, None
    message = http.client.HTTPMessage()
    message._headers = list(items)  # type: ignore[attr-defined]  # what set_raw fills
    message.set_payload("")
    first: dict[str, str] = {}
    for name, value in items:
        first.setdefault(name.lower(), value)
    return message, first.get, items


def _will_close(version: int, get: Any) -> bool:
    """``HTTPResponse._check_close`` over a header lookup."""
    connection = get("connection")
    if version == 11:
        return bool(connection and "close" in connection.lower())
    if get("keep-alive"):
        return False
    if connection and "keep-alive" in connection.lower():
        return False
    proxy_connection = get("proxy-connection")
    return not (proxy_connection and "keep-alive" in proxy_connection.lower())


class Exchange:
    """A response whose status line and headers have arrived; the body is still unread."""

    __slots__ = ("connection", "method", "pool", "response", "target")

    def __init__(
        self,
        pool: urllib3.HTTPConnectionPool,
        connection: urllib3.connection.HTTPConnection,
        response: http.client.HTTPResponse,
        method: str,
        target: str,
    ) -> None:
        self.pool = pool
        self.connection = connection
        self.response = response
        self.method = method
        self.target = target

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def reason(self) -> str:
        return self.response.reason or ""

    def header_items(self) -> list[tuple[str, str]]:
        """The headers in arrival order, obsolete line folding undone as urllib3 does."""
        plain = getattr(self.response, "plain_items", None)
        if plain is not None:
            return list(plain)
        message = self.response.msg
        if _normalize_header_values is not None:
            items: list[tuple[str, str]] = _normalize_header_values(message)
            return items
        return message.items()

    def headers(self) -> Headers:
        """The headers, a repeated one joined with ``", "`` under its first spelling.

        What ``Headers(HTTPHeaderDict(items).itermerged())`` gives, in one pass.
        """
        store: dict[str, tuple[str, str]] = {}
        for name, value in self.header_items():
            key = name.lower()
            seen = store.get(key)
            store[key] = (name, value) if seen is None else (seen[0], f"{seen[1]}, {value}")
        return Headers.from_store(store)

    @property
    def _original_response(self) -> http.client.HTTPResponse:
        """What ``requests.cookies.extract_cookies_to_jar`` reads the headers from."""
        return self.response


#: The failures urlopen turns into a retry decision (the others it lets through).
_URLOPEN_HANDLES = (
    Urllib3TimeoutError,
    http.client.HTTPException,
    OSError,
    ProtocolError,
    BaseSSLError,
    SSLError,
    CertificateError,
    ProxyError,
)


def open_response(
    pool: urllib3.HTTPConnectionPool,
    *,
    retries: Retry,
    method: str,
    target: str,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: urllib3.Timeout,
) -> Exchange:
    """Send the request and read the response head; raises what ``urlopen`` would."""
    connection: urllib3.connection.HTTPConnection | None = None
    try:
        connection = pool._get_conn(timeout=None)  # type: ignore[assignment]
        assert connection is not None  # _get_conn makes a new one when the slot is empty
        response = _request(
            pool,
            connection,
            method=method,
            target=target,
            body=body,
            headers=headers,
            timeout=timeout,
        )
    except BaseException as error:
        # As urlopen: whatever failed, the connection is thrown away and its slot given back.
        if connection is not None:
            connection.close()
        _put_back(pool, None)
        if not isinstance(error, _URLOPEN_HANDLES):
            raise
        raised = cast(Exception, error)
        if isinstance(error, (BaseSSLError, CertificateError)):
            raised = SSLError(error)
        elif isinstance(raised, (OSError, http.client.HTTPException)):
            raised = ProtocolError("Connection aborted.", raised)
        # Raises: the runtime's adapter never retries (its Retry is exhausted at once).
        retries.increment(method, target, error=raised, _pool=pool, _stacktrace=error.__traceback__)
        raise MaxRetryError(pool, target, raised) from raised
    return Exchange(pool, connection, response, method, target)


def _request(
    pool: urllib3.HTTPConnectionPool,
    connection: urllib3.connection.HTTPConnection,
    *,
    method: str,
    target: str,
    body: bytes | None,
    headers: Mapping[str, str],
    timeout: urllib3.Timeout,
) -> http.client.HTTPResponse:
    """``HTTPConnectionPool._make_request`` up to (and without) ``urllib3.HTTPResponse``."""
    pool.num_requests += 1
    connect_timeout = timeout.connect_timeout
    connection.timeout = connect_timeout  # type: ignore[assignment]
    try:
        try:
            cast(Any, pool)._validate_conn(connection)  # https: connects (and verifies) here
        except (TimeoutError, BaseSSLError) as error:
            cast(Any, pool)._raise_timeout(err=error, url=target, timeout_value=connection.timeout)
            raise
    except (BaseSSLError, CertificateError) as error:
        raise SSLError(error) from error
    try:
        _send_request(connection, method, target, body, headers)
    except BrokenPipeError:
        pass  # the server may have answered before it stopped reading: read the answer
    except OSError as error:
        if error.errno not in (errno.EPROTOTYPE, errno.ECONNRESET):
            raise
    read_timeout = timeout.read_timeout
    if not connection.is_closed:
        if read_timeout == 0:
            raise ReadTimeoutError(pool, target, f"Read timed out. (read timeout={read_timeout})")
        connection.timeout = read_timeout
    # urllib3's getresponse would consume these options; http.client reads the head.
    connection._response_options = None
    connection.response_class = _Response
    try:
        if connection.sock is not None:
            connection.sock.settimeout(connection.timeout)
        return http.client.HTTPConnection.getresponse(connection)
    except (BaseSSLError, OSError) as error:
        cast(Any, pool)._raise_timeout(err=error, url=target, timeout_value=read_timeout)
        raise


def _send_request(
    connection: urllib3.connection.HTTPConnection,
    method: str,
    target: str,
    body: bytes | None,
    headers: Mapping[str, str],
) -> None:
    """What urllib3's ``HTTPConnection.request`` sends for the fast path's requests.

    The transport has already checked every header with requests' rules, which
    are stricter than ``http.client.putheader``'s (no CR or LF anywhere, no
    leading white space), so the header lines go straight into the buffer
    ``putheader`` would have filled, in the same order, encoded the same way
    (names ASCII, values Latin-1: anything else raises the same
    ``UnicodeEncodeError``).  ``Content-Length`` is always among ``headers``
    when there is a body (the transport sets it, as requests does), so urllib3
    would add nothing but a ``User-Agent`` when none is given.  A header whose
    value is urllib3's ``SKIP_HEADER`` never gets here (the transport sends it
    through requests).
    """
    if connection.sock is not None:
        connection.sock.settimeout(connection.timeout)
    keys = {name.lower() for name in headers}
    connection.putrequest(  # urllib3's: refuses control characters in the method
        method,
        target,
        skip_host="host" in keys,
        skip_accept_encoding="accept-encoding" in keys,
    )
    output = connection._output  # type: ignore[attr-defined]  # putheader's buffer
    if "user-agent" not in keys:
        output(b"User-Agent: " + _DEFAULT_USER_AGENT.encode("latin-1"))
    for name, value in headers.items():
        output(name.encode("ascii") + b": " + value.encode("latin-1"))
    connection.endheaders()
    if body:
        connection.send(body)


def read_body(exchange: Exchange) -> bytes:
    """The whole (decoded) body; the connection goes back to the pool.

    Raises what ``urllib3.HTTPResponse.stream`` would.
    """
    response = exchange.response
    if response.chunked or response.getheader("Content-Encoding"):
        return _read_through_urllib3(exchange)
    try:
        content = response.read()
    except Exception as error:
        response.close()
        exchange.connection.close()
        _put_back(exchange.pool, exchange.connection)
        translated = _read_error(exchange.pool, error)
        if translated is None:
            raise
        raise translated from error
    _put_back(exchange.pool, exchange.connection)
    return content


def _read_error(pool: urllib3.HTTPConnectionPool, error: Exception) -> Exception | None:
    """``HTTPResponse._error_catcher``'s exception for ``error`` (``None``: let it through)."""
    if isinstance(error, socket.timeout):
        return ReadTimeoutError(pool, None, "Read timed out.")
    if isinstance(error, BaseSSLError):
        if "read operation timed out" not in str(error):
            return SSLError(error)
        return ReadTimeoutError(pool, None, "Read timed out.")
    if isinstance(error, http.client.IncompleteRead):
        # urllib3 reads a Content-Length body in chunks and reports a short one
        # with its own IncompleteRead (a byte count, not the bytes).
        partial = len(error.partial)
        expected = error.expected if error.expected is not None else 0
        short = IncompleteRead(partial, expected)
        if expected == -partial:
            return ProtocolError("Response may not contain content.", short)
        return ProtocolError(f"Connection broken: {short!r}", short)
    if isinstance(error, (http.client.HTTPException, OSError)):
        return ProtocolError(f"Connection broken: {error!r}", error)
    return None


def _read_through_urllib3(exchange: Exchange) -> bytes:
    """A chunked or content-encoded body, read by urllib3's response as ``urlopen`` returns it."""
    response = exchange.response
    kwargs: dict[str, Any] = {
        "body": response,
        "headers": HTTPHeaderDict(exchange.header_items()),
        "status": response.status,
        "version": response.version,
        "reason": response.reason,
        "preload_content": False,
        "decode_content": False,
        "original_response": response,
        "enforce_content_length": True,
        "request_method": exchange.method,
        "request_url": exchange.target,
        "pool": exchange.pool,
        "connection": exchange.connection,
    }
    wrapped = urllib3.HTTPResponse(**kwargs)
    content = b"".join(wrapped.stream(_CHUNK, decode_content=True))
    wrapped.release_conn()
    return content


class BodyReader:
    """A response body read as it arrives, for ``HttpClient.stream``.

    :meth:`read1` returns at most ``size`` bytes after at most one read from
    the socket (so a server that drips events is answered as each arrives,
    and the read timeout applies between pieces); ``b""`` at the end of the
    body, when the connection goes back to the pool for the next request.
    :meth:`close` before the end closes the connection (its unread bytes
    make it unusable) and gives its slot back.  Failures raise what
    ``urllib3.HTTPResponse.stream`` would (``ProtocolError``,
    ``ReadTimeoutError``, ``SSLError``), as :func:`read_body` does.
    """

    __slots__ = ("_decoded", "_done", "exchange")

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self._done = False
        self._decoded: urllib3.HTTPResponse | None = None
        encoding = exchange.response.getheader("Content-Encoding")
        if encoding and encoding.strip().lower() != "identity":
            self._decoded = urllib3.HTTPResponse(
                body=exchange.response,
                headers=HTTPHeaderDict(exchange.header_items()),
                status=exchange.response.status,
                version=exchange.response.version,
                reason=exchange.response.reason,
                preload_content=False,
                decode_content=True,
                original_response=exchange.response,
                enforce_content_length=True,
                request_method=exchange.method,
                request_url=exchange.target,
                pool=exchange.pool,
                connection=exchange.connection,
            )

    @property
    def done(self) -> bool:
        """Whether the reader has finished: the body ended, failed or was closed."""
        return self._done

    def read1(self, size: int) -> bytes:
        """Up to ``size`` bytes of the body; ``b""`` once it has ended."""
        if self._done:
            return b""
        try:
            if self._decoded is not None:
                data = self._decoded.read1(size)
            else:
                data = self.exchange.response.read1(size)
        except Exception as error:
            self.close()
            if self._decoded is not None:
                raise
            translated = _read_error(self.exchange.pool, error)
            if translated is None:
                raise
            raise translated from error
        if not data:
            self._done = True
            if self._decoded is not None:
                self._decoded.release_conn()
            else:
                # read1 leaves a Content-Length response open at its end (read()
                # closes it): until it is, http.client refuses the next request.
                self.exchange.response.close()
                _put_back(self.exchange.pool, self.exchange.connection)
        return data

    def close(self) -> None:
        """Stop reading: the connection is closed unless the body had ended."""
        if self._done:
            return
        self._done = True
        if self._decoded is not None:
            # urllib3's response may already have given the connection back
            # (after a failure): release_conn does it at most once.
            self._decoded.close()
            self._decoded.release_conn()
            return
        exchange = self.exchange
        exchange.response.close()
        exchange.connection.close()
        _put_back(exchange.pool, exchange.connection)
