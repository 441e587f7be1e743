"""Helpers shared by the token tests: a controllable clock and a loopback OAuth token endpoint."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

from tests.support.server import LoopbackServer, RecordedRequest, Reply

START = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def form(request: RecordedRequest) -> dict[str, str]:
    """The request's urlencoded form body as a flat dict."""
    return {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}


class TokenEndpoint:
    """An OAuth 2.0 token endpoint on a loopback server that counts grants.

    Issues ``<prefix>-1``, ``<prefix>-2``, ... with ``expires_in`` and a refresh
    token (``refresh-<n>``) unless told otherwise.  ``delay`` holds each answer
    back so that concurrent callers really overlap.
    """

    def __init__(
        self,
        server: LoopbackServer,
        path: str = "/token",
        *,
        prefix: str = "tok",
        expires_in: Any = 3600,
        issue_refresh: bool = True,
        delay: float = 0.0,
    ) -> None:
        self.server = server
        self.path = path
        self.prefix = prefix
        self.expires_in = expires_in
        self.issue_refresh = issue_refresh
        self.delay = delay
        self.grants: list[str] = []
        self._lock = threading.Lock()
        self.override: Callable[[RecordedRequest], Reply | None] | None = None
        server.route("POST", path, self._handle)

    @property
    def url(self) -> str:
        return self.server.url + self.path

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.grants)

    def _handle(self, request: RecordedRequest) -> Reply:
        fields = form(request)
        with self._lock:
            self.grants.append(fields.get("grant_type", "?"))
            number = len(self.grants)
        if self.override is not None:
            reply = self.override(request)
            if reply is not None:
                return reply
        if self.delay:
            threading.Event().wait(self.delay)
        body: dict[str, Any] = {"access_token": f"{self.prefix}-{number}", "token_type": "bearer"}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        if self.issue_refresh:
            body["refresh_token"] = f"refresh-{number}"
        return Reply.json(body)
