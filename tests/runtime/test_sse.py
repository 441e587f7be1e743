"""The server-sent events parser (``requestforge.sse``) against the WHATWG rules.

Each rule gets an example that would fail if the parser got it wrong; the
property tests then check that any list of events, serialised any valid way
and cut into arbitrary pieces (mid-line, mid-CRLF, mid-UTF-8 sequence),
parses back to exactly those events.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from requestforge.sse import ServerSentEvent, SSEParser, iter_sse


def parse(stream: bytes, *, step: int | None = None) -> list[ServerSentEvent]:
    """All events of ``stream``, fed whole or ``step`` bytes at a time."""
    if step is None:
        return list(iter_sse([stream]))
    return list(iter_sse(stream[i : i + step] for i in range(0, len(stream), step)))


def test_data_lines_are_joined_with_lf_and_a_blank_line_dispatches() -> None:
    events = parse(b"data: one\ndata: two\n\ndata: three\n\n")
    assert [e.data for e in events] == ["one\ntwo", "three"]
    assert all(e.event == "message" for e in events)


def test_all_three_line_endings_split_lines() -> None:
    for ending in (b"\n", b"\r\n", b"\r"):
        stream = b"event: tick" + ending + b"data: a" + ending + ending
        assert parse(stream) == [ServerSentEvent("a", "tick")], ending


def test_a_crlf_split_across_pieces_is_one_line_ending() -> None:
    # "\r" ends one piece and "\n" starts the next: one terminator, not a blank line.
    parser = SSEParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\ndata: b\r") == []
    assert parser.feed(b"\n\r\n") == [ServerSentEvent("a\nb")]


def test_a_utf8_sequence_split_across_pieces_decodes_whole() -> None:
    stream = "data: héllo €\n\n".encode()
    assert parse(stream, step=1) == [ServerSentEvent("héllo €")]


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert parse(b"data: \xff\xfe!\n\n") == [ServerSentEvent("\ufffd\ufffd!")]


def test_a_leading_bom_is_stripped_once() -> None:
    bom = "\ufeff".encode()
    assert parse(bom + b"data: x\n\n", step=1) == [ServerSentEvent("x")]
    # Only at the very start: a second BOM is part of the field name, which is then unknown.
    assert parse(bom + bom + b"data: x\n\n") == []


def test_comments_and_keep_alives_are_ignored() -> None:
    stream = b": keep-alive\n\n:\ndata: x\n: mid-event comment\ndata: y\n\n"
    assert parse(stream) == [ServerSentEvent("x\ny")]


def test_a_block_without_data_dispatches_nothing_and_resets_the_type() -> None:
    stream = b"event: ignored\n\ndata: x\n\n"
    assert parse(stream) == [ServerSentEvent("x", "message")]


def test_a_data_line_with_an_empty_value_dispatches_empty_data() -> None:
    # "data" alone (no colon) appends an empty line: the buffer is "\n", not empty.
    assert parse(b"data\n\ndata:\n\n") == [ServerSentEvent(""), ServerSentEvent("")]


def test_only_one_leading_space_of_a_value_is_removed() -> None:
    assert parse(b"data:x\n\ndata:  y\n\n") == [ServerSentEvent("x"), ServerSentEvent(" y")]


def test_the_last_event_id_persists_and_an_empty_id_resets_it() -> None:
    stream = b"id: 1\ndata: a\n\ndata: b\n\nid\ndata: c\n\n"
    events = parse(stream)
    assert [(e.data, e.id) for e in events] == [("a", "1"), ("b", "1"), ("c", "")]


def test_an_id_containing_nul_is_ignored() -> None:
    parser = SSEParser()
    events = parser.feed(b"id: 7\ndata: a\n\nid: 8\x009\ndata: b\n\n")
    assert [e.id for e in events] == ["7", "7"]
    assert parser.last_event_id == "7"


def test_an_id_in_a_block_without_data_still_sets_the_last_event_id() -> None:
    parser = SSEParser()
    assert parser.feed(b"id: 42\n\n") == []
    assert parser.last_event_id == "42"


def test_retry_is_taken_only_when_it_is_ascii_digits() -> None:
    parser = SSEParser()
    events = parser.feed(b"retry: 1500\ndata: a\n\nretry: 1.5\ndata: b\n\nretry: \xc2\xb2\n\n")
    assert [(e.data, e.retry) for e in events] == [("a", 1500), ("b", None)]
    assert parser.retry == 1500


def test_unknown_fields_are_ignored() -> None:
    assert parse(b"foo: bar\ndata: x\nid2: 3\n\n") == [ServerSentEvent("x")]


def test_an_event_cut_off_by_the_end_of_the_stream_is_not_dispatched() -> None:
    parser = SSEParser()
    assert parser.feed(b"data: whole\n\ndata: cut") == [ServerSentEvent("whole")]
    assert parser.pending


def test_many_events_in_one_piece_and_one_event_over_many_pieces() -> None:
    stream = b"".join(b"data: %d\n\n" % i for i in range(1000))
    assert [e.data for e in parse(stream)] == [str(i) for i in range(1000)]
    assert [e.data for e in parse(stream, step=3)] == [str(i) for i in range(1000)]


# -- property tests ------------------------------------------------------------

_LINE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"),
    max_size=12,
)
_ID_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\0"),
    max_size=6,
)


@dataclass(frozen=True)
class _Spec:
    data: str
    event: str | None
    id: str | None
    retry: int | None
    comment: str | None


_SPECS = st.builds(
    _Spec,
    data=st.lists(_LINE_TEXT, min_size=1, max_size=4).map("\n".join),
    event=st.none() | _LINE_TEXT.filter(bool),
    id=st.none() | _ID_TEXT,
    retry=st.none() | st.integers(min_value=0, max_value=10**9),
    comment=st.none() | _LINE_TEXT,
)


def _serialise(specs: list[_Spec], endings: list[str], bom: bool) -> bytes:
    """``specs`` as an event stream, line endings drawn in turn from ``endings``.

    A CR ending is never followed by a lone LF one: together they would be a
    single CRLF, and the blank line after them would vanish.
    """
    out: list[str] = ["\ufeff"] if bom else []
    turn = 0
    previous = ""

    def line(text: str) -> None:
        nonlocal turn, previous
        ending = endings[turn % len(endings)]
        turn += 1
        if previous == "\r" and ending == "\n":
            ending = "\r\n"
        out.append(text + ending)
        previous = ending

    for spec in specs:
        if spec.comment is not None:
            line(":" + spec.comment)
        if spec.event is not None:
            line("event: " + spec.event)
        if spec.id is not None:
            line("id: " + spec.id)
        if spec.retry is not None:
            line(f"retry: {spec.retry}")
        for data_line in spec.data.split("\n"):
            line("data: " + data_line)
        line("")
    return "".join(out).encode()


def _expected(specs: list[_Spec]) -> list[ServerSentEvent]:
    last_id = ""
    events = []
    for spec in specs:
        if spec.id is not None:
            last_id = spec.id
        events.append(ServerSentEvent(spec.data, spec.event or "message", last_id, spec.retry))
    return events


def _pieces(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    bounds = [0, *points, len(stream)]
    return [stream[a:b] for a, b in itertools.pairwise(bounds)]


@settings(max_examples=300, deadline=None)
@given(
    specs=st.lists(_SPECS, max_size=8),
    endings=st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4),
    bom=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=10**6), max_size=20),
)
def test_any_events_in_any_pieces_parse_back(
    specs: list[_Spec], endings: list[str], bom: bool, cuts: list[int]
) -> None:
    stream = _serialise(specs, endings, bom)
    parser = SSEParser()
    parsed = [event for piece in _pieces(stream, cuts) for event in parser.feed(piece)]
    assert parsed == _expected(specs)
    assert not parser.pending


@settings(max_examples=100, deadline=None)
@given(specs=st.lists(_SPECS, min_size=1, max_size=5), ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_byte_at_a_time_equals_all_at_once(specs: list[_Spec], ending: str) -> None:
    stream = _serialise(specs, [ending], bom=False)
    assert parse(stream, step=1) == parse(stream) == _expected(specs)
