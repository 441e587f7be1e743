"""RFC 8288 ``Link`` header values, parsed the way real servers write them.

GitHub-style pagination follows the ``rel="next"`` link; this module turns a
header value into ``{relation type: URL}`` and never raises on a malformed one.
"""

from __future__ import annotations

__all__ = ["parse_link_header"]

_TOKEN_STOP = frozenset(' \t;,="')


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip_to_next_link(text: str, i: int) -> int:
    """Index just past the next top-level comma (outside quotes and ``<...>``)."""
    quoted = bracketed = False
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif bracketed:
            bracketed = char != ">"
        elif char == '"':
            quoted = True
        elif char == "<":
            bracketed = True
        elif char == ",":
            return i + 1
        i += 1
    return i


def _quoted_string(text: str, i: int) -> tuple[str | None, int]:
    """The quoted-string starting at ``text[i] == '"'``; ``None`` when unterminated."""
    out: list[str] = []
    i += 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    return None, i


def _link_params(text: str, i: int) -> tuple[dict[str, str] | None, int]:
    """Parameters after ``<URI>``: ``(params, index after the link-value)``.

    ``None`` means the link-value is malformed; the index is then past the
    next top-level comma, so the caller can go on with the following link.
    A parameter that repeats keeps its first value (RFC 8288, section 3).
    """
    params: dict[str, str] = {}
    while True:
        i = _skip_ws(text, i)
        if i >= len(text):
            return params, i
        if text[i] == ",":
            return params, i + 1
        if text[i] != ";":
            return None, _skip_to_next_link(text, i)
        i = _skip_ws(text, i + 1)
        start = i
        while i < len(text) and text[i] not in _TOKEN_STOP:
            i += 1
        name = text[start:i].lower()
        i = _skip_ws(text, i)
        value = ""
        if i < len(text) and text[i] == "=":
            i = _skip_ws(text, i + 1)
            if i < len(text) and text[i] == '"':
                quoted, i = _quoted_string(text, i)
                if quoted is None:
                    return None, i
                value = quoted
            else:
                start = i
                while i < len(text) and text[i] not in _TOKEN_STOP:
                    i += 1
                value = text[start:i]
                if len(value) > 1 and value[0] == value[-1] == "'":
                    value = value[1:-1]  # not RFC 8288, but seen in the wild: rel='next'
        if name and name not in params:
            params[name] = value


def parse_link_header(value: str) -> dict[str, str]:
    """The links of an RFC 8288 ``Link`` header value, as ``{relation type: URL}``.

    Handles what real servers send: quoted and unquoted parameters, several
    relation types in one ``rel`` (``rel="next last"``), commas and semicolons
    inside ``<...>`` and inside quoted strings, several headers joined with
    commas.  Relation types are lower-cased (they compare case-insensitively)
    unless they are extension URIs.  The first link for a relation wins.
    Links with an ``anchor`` parameter describe another resource and are
    skipped.  Malformed parts are skipped, never raised on: a broken header
    must not break the call that received it -- at worst pagination ends.
    URLs are returned as written (resolve relative ones yourself).
    """
    links: dict[str, str] = {}
    i = 0
    while i < len(value):
        i = _skip_ws(value, i)
        if i >= len(value):
            break
        if value[i] == ",":
            i += 1
            continue
        if value[i] != "<":
            i = _skip_to_next_link(value, i)
            continue
        end = value.find(">", i + 1)
        if end < 0:
            break
        url = value[i + 1 : end].strip()
        params, i = _link_params(value, end + 1)
        if params is None or "anchor" in params:
            continue
        for relation in params.get("rel", "").split():
            key = relation if ":" in relation else relation.lower()
            links.setdefault(key, url)
    return links
