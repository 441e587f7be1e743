"""The Flask app of the tests (and of the gunicorn test): the documented set-up, verbatim.

``create_app`` reads the upstream from its arguments or, under gunicorn, from
``UPSTREAM_URL``/``TOKEN_URL``/``REDIS_URL``.  Each worker process builds its
own app (no ``--preload``), so ``X-Worker-Pid`` tells the upstream which worker
called it.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from requestforge.context import get_correlation_id, get_request_metadata
from requestforge.integrations.flask import RequestForge

from tests.integrations.upstream import UpstreamClient

forge = RequestForge(client_class=UpstreamClient)


def create_app(
    upstream_url: str | None = None,
    token_url: str | None = None,
    token_storage: Any = None,
) -> Flask:
    app = Flask(__name__)
    app.config["REQUESTFORGE_BASE_URL"] = upstream_url or os.environ["UPSTREAM_URL"]
    token_url = token_url or os.environ.get("TOKEN_URL")
    if token_url:
        app.config["REQUESTFORGE_CREDENTIALS"] = {
            "client_id": "app",
            "client_secret": "s3cret",
            "token_url": token_url,
        }
    app.config["REQUESTFORGE_TOKEN_STORAGE"] = token_storage or os.environ.get("REDIS_URL")
    app.config["REQUESTFORGE_HEADERS"] = {"X-Worker-Pid": str(os.getpid())}
    forge.init_app(app)

    @app.get("/call")
    def call() -> ResponseReturnValue:
        from flask import request

        upstream = forge.client.get_data(request.args.get("n", "0"))
        return jsonify(
            request_id=get_correlation_id(),
            metadata=dict(get_request_metadata()),
            pid=os.getpid(),
            upstream=upstream,
        )

    @app.get("/health")
    def health() -> ResponseReturnValue:
        return {"ok": True, "pid": os.getpid()}

    return app
