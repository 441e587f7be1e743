"""A generated client's ``AsyncClient`` and ``.iterate()``, used as a user would, over a socket.

The spec pages two ways: ``GET /repos`` declares a ``Link`` header (GitHub's
style) and ``GET /customers`` declares ``x-forgegen-pagination`` (Stripe's
``has_more`` + ``starting_after``).  The package is generated into a temp dir,
imported, and run against the loopback server; ``mypy --strict`` checks that
the async and paging calls are typed all the way down.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.support.server import LoopbackServer, RecordedRequest, Reply

SPEC = """
openapi: 3.0.3
info: {title: Paging, version: "1"}
paths:
  /repos:
    get:
      operationId: list_repos
      tags: [repos]
      parameters:
        - {name: per_page, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          headers:
            Link: {schema: {type: string}}
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Repo"}}
  /repos/{name}:
    get:
      operationId: get_repo
      tags: [repos]
      parameters:
        - {name: name, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Repo"}
        "404": {description: missing}
  /secret:
    get:
      operationId: get_secret
      tags: [repos]
      security: [{oauth: [read]}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Repo"}
  /customers:
    get:
      operationId: list_customers
      tags: [customers]
      x-forgegen-pagination:
        style: cursor
        cursor_param: starting_after
        cursor_item_field: id
        has_more: /has_more
        items: /data
      parameters:
        - {name: starting_after, in: query, schema: {type: string}}
        - {name: limit, in: query, schema: {type: integer}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [data, has_more]
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Customer"}}
                  has_more: {type: boolean}
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://auth.example.com/token
          scopes: {read: read things}
  schemas:
    Repo:
      type: object
      required: [name]
      properties: {name: {type: string}}
    Customer:
      type: object
      required: [id]
      properties: {id: {type: string}}
"""


@pytest.fixture(scope="module")
def paging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    from forgegen.pipeline import generate

    root = tmp_path_factory.mktemp("paging")
    spec = root / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    generate(spec, root / "paging", quiet=True, cache_dir=root / "cache")
    sys.path.insert(0, str(root))
    try:
        import paging

        yield paging
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == "paging" or m.startswith("paging.")]:
            del sys.modules[name]


def _repos(server: LoopbackServer) -> None:
    def page(request: RecordedRequest) -> Reply:
        number = int(request.query.get("page", ["1"])[0])
        links = {
            1: f'<{server.url}/repos?page=2&per_page=2>; rel="next"',
            2: '</repos?page=3&per_page=2>; rel="next", </repos?page=1>; rel="first"',
            3: "",
        }[number]
        names = {1: ["a", "b"], 2: ["c", "d"], 3: ["e"]}[number]
        headers = {"Link": links} if links else {}
        return Reply.json([{"name": n} for n in names], headers=headers)

    server.route("GET", "/repos", page)


def _customers(server: LoopbackServer) -> None:
    def page(request: RecordedRequest) -> Reply:
        after = request.query.get("starting_after", [""])[0]
        pages = {"": (["c1", "c2"], True), "c2": (["c3"], False)}
        ids, more = pages[after]
        return Reply.json({"data": [{"id": i} for i in ids], "has_more": more})

    server.route("GET", "/customers", page)


def test_iterate_follows_link_headers_lazily(paging: ModuleType, server: LoopbackServer) -> None:
    _repos(server)
    with paging.Client(base_url=server.url) as client:
        pages = client.repos.list_repos.iterate(per_page=2)
        assert server.requests == []  # nothing sent before the first item is pulled
        assert [repo.name for repo in pages] == ["a", "b", "c", "d", "e"]
        assert [r.query.get("page") for r in server.requests] == [None, ["2"], ["3"]]
        # calling the endpoint still returns one page
        assert [repo.name for repo in client.repos.list_repos(per_page=2)] == ["a", "b"]


def test_iterate_follows_a_declared_cursor(paging: ModuleType, server: LoopbackServer) -> None:
    _customers(server)
    with paging.Client(base_url=server.url) as client:
        ids = [customer.id for customer in client.customers.list_customers.iterate(limit=2)]
    assert ids == ["c1", "c2", "c3"]
    assert [r.query.get("starting_after") for r in server.requests] == [None, ["c2"]]
    assert all(r.query["limit"] == ["2"] for r in server.requests)


def test_async_client_calls_iterates_and_raises_typed_errors(
    paging: ModuleType, server: LoopbackServer
) -> None:
    _repos(server)
    _customers(server)
    server.route("GET", "/repos/x", Reply.json({"name": "x"}))
    server.route("GET", "/repos/missing", Reply(status=404))

    async def scenario() -> tuple[Any, ...]:
        async with paging.AsyncClient(base_url=server.url) as client:
            repo = await client.repos.get_repo(name="x")
            raw = await client.repos.get_repo.with_raw_response(name="x")
            names = [r.name async for r in client.repos.list_repos.iterate(per_page=2)]
            ids = [c.id async for c in client.customers.list_customers.iterate()]
            together = await asyncio.gather(*(client.repos.get_repo(name="x") for _ in range(50)))
            with pytest.raises(paging.NotFoundError):
                await client.repos.get_repo(name="missing")
            return repo, raw, names, ids, together

    repo, raw, names, ids, together = asyncio.run(scenario())
    assert type(repo).__name__ == "Repo"
    assert repo.name == "x"
    assert raw.status_code == 200
    assert raw.parsed == repo
    assert names == ["a", "b", "c", "d", "e"]
    assert ids == ["c1", "c2", "c3"]
    assert [r.name for r in together] == ["x"] * 50


def test_a_thousand_tasks_on_an_expired_token_cause_one_fetch(
    paging: ModuleType, server: LoopbackServer
) -> None:
    """The issue's acceptance test, through the generated ``AsyncClient``."""
    fetched: list[str] = []

    def token(request: RecordedRequest) -> Reply:
        fetched.append(f"t{len(fetched) + 1}")
        # The first token is renewed from 30 s before its expiry (the runtime's
        # leeway): living 31 s, it turns stale one second after it is fetched.
        lifetime = 31 if len(fetched) == 1 else 3600
        return Reply.json(
            {"access_token": fetched[-1], "token_type": "bearer", "expires_in": lifetime}
        )

    def secret(request: RecordedRequest) -> Reply:
        if request.header("Authorization") == f"Bearer {fetched[-1]}":
            return Reply.json({"name": "s"})
        return Reply.json({"error": "invalid_token"}, status=401)

    server.route("POST", "/token", token)
    server.route("GET", "/secret", secret)

    async def scenario() -> list[str]:
        async with paging.AsyncClient(
            base_url=server.url,
            client_id="id",
            client_secret="shh",
            token_url=f"{server.url}/token",
        ) as client:
            await client.repos.get_secret()  # token 1, fresh for one second
            assert len(fetched) == 1
            await asyncio.sleep(1.1)
            repos = await asyncio.gather(*(client.repos.get_secret() for _ in range(1000)))
            return [repo.name for repo in repos]

    names = asyncio.run(scenario())
    assert names == ["s"] * 1000
    assert fetched == ["t1", "t2"]  # one fetch for the thousand tasks
    token_requests = [r for r in server.requests if r.path == "/token"]
    assert len(token_requests) == 2
    assert b"scope=read" in token_requests[1].body


def test_sync_users_never_load_the_async_runtime(paging: ModuleType) -> None:
    probe = (
        "import sys\n"
        "from paging import Client\n"
        "Client('http://127.0.0.1:9').repos.list_repos\n"
        "print(sorted(m for m in sys.modules if 'async' in m or m == 'httpx'))"
    )
    root = Path(paging.__file__).parent.parent
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=root,
    )
    assert result.stdout.strip() == "[]"


def test_async_and_paging_calls_are_typed_under_mypy_strict(
    paging: ModuleType, tmp_path: Path
) -> None:
    root = Path(paging.__file__).parent.parent
    snippet = root / "use_paging.py"
    snippet.write_text(
        "from collections.abc import AsyncIterator, Iterator\n"
        "from paging import AsyncClient, Client\n"
        "from paging.models.customer import Customer\n"
        "from paging.models.repo import Repo\n\n"
        "def sync_use(client: Client) -> Iterator[Customer]:\n"
        "    first: list[Repo] = client.repos.list_repos(per_page=2)\n"
        "    del first\n"
        "    return client.customers.list_customers.iterate(limit=2)\n\n"
        "async def async_use(client: AsyncClient) -> Repo:\n"
        "    items: AsyncIterator[Repo] = client.repos.list_repos.iterate(per_page=2)\n"
        "    del items\n"
        "    return await client.repos.get_repo(name='x')\n\n"
        "async def wrong(client: AsyncClient) -> int:\n"
        "    return await client.repos.get_repo(nam='x')\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "mypy"),
            str(snippet),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=root,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    # exactly the two mistakes in wrong(): the misspelt keyword and the return type
    assert len(errors) == 2, result.stdout
    assert any('"nam"' in line for line in errors), result.stdout
    assert any("Incompatible return value" in line for line in errors), result.stdout
