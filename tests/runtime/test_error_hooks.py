"""Error hooks: a failing hook neither masks the real error nor silences later hooks."""

from __future__ import annotations

import logging

import pytest
from requestforge import (
    ConnectError,
    HttpClient,
    HttpClientConfigBuilder,
    RequestContext,
)


class ExplodingHook:
    def on_error(self, error: BaseException, context: RequestContext) -> None:
        raise RuntimeError("the hook itself is broken")


class RecordingHook:
    def __init__(self) -> None:
        self.seen: list[type[BaseException]] = []

    def on_error(self, error: BaseException, context: RequestContext) -> None:
        self.seen.append(type(error))


def test_a_failing_error_hook_is_logged_and_the_original_error_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = RecordingHook()
    config = (
        HttpClientConfigBuilder()
        .with_base_url("http://127.0.0.1:1")  # nothing listens on port 1
        .with_no_retry()
        .with_error_hook(ExplodingHook())
        .with_error_hook(recorder)
        .build()
    )
    with (
        caplog.at_level(logging.ERROR, logger="requestforge"),
        HttpClient(config) as client,
        pytest.raises(ConnectError),
    ):
        client.get("/anything")
    assert recorder.seen == [ConnectError]
    assert "error hook ExplodingHook failed while handling ConnectError" in caplog.text
