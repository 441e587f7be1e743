"""Server-sent events parsing throughput: forgegen's parser against openai's, one run.

    .venv/bin/python -m benchmarks.sse_throughput [--events 50000] [--rounds 7]

The peer is the ``openai`` package's own decoder (``openai._streaming.SSEDecoder``,
which its ``Stream`` runs over every response), installed into ``.venv`` with
the ``bench`` extra -- ``.venv/bin/pip install -e '.[bench]'`` -- and never a
runtime dependency.  The floor splits the same pieces into lines with
``bytes.split`` (keeping the partial last line for the next piece) and
assembles nothing: what any parser must at least do.

Each workload is one byte stream, cut into the pieces a socket would deliver,
parsed by every contender in the same run:

* ``chat tokens``: OpenAI-style chat completion chunks (one ``data:`` line of
  JSON each), in 16 KiB reads -- a stream read faster than it is produced;
* ``one event per read``: the same events, each arriving in its own read --
  a live token stream at the pace the model produces it;
* ``multi-line``: ``event:``, ``id:`` and three ``data:`` lines per event,
  CRLF line endings, 4 KiB reads.

No network: the parsing is what is compared.  Contenders take turns round by
round, each round starting one contender later; the table reports the median
of the per-round times as events per second and the ratio to openai.  Before
timing, every parser's events are checked against forgegen's (data and type).
Targets are read off the table, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date

from requestforge.sse import SSEParser

Parse = Callable[[list[bytes]], int]


def _chat_stream(count: int) -> bytes:
    events = []
    for i in range(count):
        chunk = {
            "id": "chatcmpl-9xYzAbCdEfGh",
            "object": "chat.completion.chunk",
            "created": 1_718_000_000,
            "model": "gpt-4o-mini",
            "choices": [
                {"index": 0, "delta": {"content": f" token{i % 97}"}, "finish_reason": None}
            ],
        }
        events.append(b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n")
    return b"".join(events) + b"data: [DONE]\n\n"


def _multi_line_stream(count: int) -> bytes:
    return b"".join(
        b'event: update\r\nid: %d\r\ndata: {"row": %d,\r\ndata:  "cells": [1, 2, 3],\r\n'
        b'data:  "ok": true}\r\n\r\n' % (i, i)
        for i in range(count)
    )


def _pieces(stream: bytes, size: int) -> list[bytes]:
    return [stream[i : i + size] for i in range(0, len(stream), size)]


def _per_event(stream: bytes) -> list[bytes]:
    return [event + b"\n\n" for event in stream.split(b"\n\n") if event]


def forgegen(pieces: list[bytes]) -> int:
    parser = SSEParser()
    feed = parser.feed
    count = 0
    for piece in pieces:
        count += len(feed(piece))
    return count


def _openai() -> Parse | None:
    try:
        from openai._streaming import SSEDecoder
    except ImportError:
        return None

    def openai(pieces: list[bytes]) -> int:
        count = 0
        for _event in SSEDecoder().iter_bytes(iter(pieces)):
            count += 1
        return count

    return openai


def floor(pieces: list[bytes]) -> int:
    """Lines split with ``bytes.split``, the partial last one carried over; blank lines counted."""
    tail = b""
    count = 0
    for piece in pieces:
        lines = (tail + piece).split(b"\n")
        tail = lines.pop()
        count += lines.count(b"") + lines.count(b"\r")
    return count


def _forgegen_events(pieces: list[bytes]) -> list[tuple[str, str]]:
    parser = SSEParser()
    return [(event.event, event.data) for piece in pieces for event in parser.feed(piece)]


def _openai_events(pieces: list[bytes]) -> list[tuple[str, str]]:
    from openai._streaming import SSEDecoder

    return [(e.event or "message", e.data) for e in SSEDecoder().iter_bytes(iter(pieces))]


def _time(parse: Parse, pieces: list[bytes]) -> float:
    started = time.perf_counter()
    parse(pieces)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    chat = _chat_stream(args.events)
    workloads = {
        "chat tokens, 16 KiB reads": _pieces(chat, 16 * 1024),
        "chat tokens, one event per read": _per_event(chat),
        "multi-line, CRLF, 4 KiB reads": _pieces(_multi_line_stream(args.events), 4096),
    }
    openai = _openai()
    contenders: dict[str, Parse] = {"forgegen SSEParser": forgegen}
    if openai is not None:
        contenders["openai SSEDecoder"] = openai
    contenders["floor: bytes.split lines"] = floor

    for name, pieces in workloads.items():
        if openai is not None and _openai_events(pieces) != _forgegen_events(pieces):
            raise SystemExit(f"{name}: openai and forgegen parsed different events")

    print(
        f"SSE parsing, {args.events} events per workload, median of {args.rounds} rounds; "
        f"Python {platform.python_version()}, {date.today().isoformat()}"
    )
    if openai is None:
        print("(openai is not installed: pip install -e '.[bench]' to compare)")
    print()
    print("| workload | parser | MB/s | events/s | vs openai |")
    print("|---|---|---:|---:|---:|")
    names = list(contenders)
    for workload, pieces in workloads.items():
        size = sum(len(piece) for piece in pieces)
        events = forgegen(pieces)
        times: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(args.rounds):
            for offset in range(len(names)):
                name = names[(round_ + offset) % len(names)]
                times[name].append(_time(contenders[name], pieces))
        medians = {name: statistics.median(values) for name, values in times.items()}
        reference = medians.get("openai SSEDecoder")
        for name in names:
            seconds = medians[name]
            ratio = f"{reference / seconds:.2f}x faster" if reference else "-"
            if name == "openai SSEDecoder":
                ratio = "1.00x"
            print(
                f"| {workload} | {name} | {size / seconds / 1e6:.0f} | "
                f"{events / seconds:,.0f} | {ratio} |"
            )


if __name__ == "__main__":
    main()
