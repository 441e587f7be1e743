"""Views and URLconf for the Django tests: each view calls the upstream through a client."""

from __future__ import annotations

import asyncio
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import path
from requestforge.context import get_correlation_id, get_request_metadata
from requestforge.integrations.django import client_from_settings

from tests.integrations.upstream import UpstreamClient


def call_upstream(request: HttpRequest) -> JsonResponse:
    client = client_from_settings(UpstreamClient)
    upstream: Any = client.get_data(request.GET.get("n", "0"))
    return JsonResponse(
        {
            "request_id": get_correlation_id(),
            "metadata": dict(get_request_metadata()),
            "upstream": upstream,
        }
    )


async def call_upstream_async(request: HttpRequest) -> JsonResponse:
    client = client_from_settings(UpstreamClient)
    await asyncio.sleep(0.01)  # let the other requests' tasks interleave with this one
    upstream: Any = await asyncio.to_thread(client.get_data, request.GET.get("n", "0"))
    return JsonResponse({"request_id": get_correlation_id(), "upstream": upstream})


urlpatterns = [
    path("call", call_upstream),
    path("acall", call_upstream_async),
]
