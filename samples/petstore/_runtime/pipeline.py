"""Multi-step token pipelines: tokens that are obtained with other tokens.

Some APIs hand out credentials in stages -- a device token (valid for weeks)
buys an app token (an hour), which buys a user token (minutes).  A
:class:`TokenFetchPipeline` runs such steps in dependency order, caches each
step's token for that step's own TTL, and on the next run fetches only what has
expired.  Invalidating a step also invalidates everything obtained with it.

The pipeline is lock-free (seed 000): concurrent runs may both fetch an expired
step.  Put it behind a :class:`TokenManager` (via :class:`PipelineTokenProvider`)
to get one fetch per expiry across threads and, with Redis, across processes.

Configuration mistakes -- a duplicate step name, an unknown dependency, a
cycle, a header template naming a step that is not a dependency -- raise
:class:`PipelineError` when the pipeline or fetcher is built, not on first use.
"""

from __future__ import annotations

import math
import string
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Protocol, cast

from .client import HttpClient
from .errors import ConfigurationError, PipelineError, RequestForgeError, TokenFetchError
from .models import HttpMethod, HttpRequest, HttpResponse
from .providers import DEFAULT_TOKEN_TIMEOUT, TokenProviderInterface, build_token_client
from .redaction import redact_url
from .storage import InMemoryTokenStorage, TokenStorage
from .tokens import DEFAULT_LEEWAY, Clock, TokenData, utcnow

__all__ = [
    "BodyTokenFetcher",
    "FetchContext",
    "HeaderTokenFetcher",
    "PipelineTokenProvider",
    "TokenFetchPipeline",
    "TokenFetcher",
    "TokenFetcherInterface",
]

Tokens = Mapping[str, TokenData]
HeaderSpec = Mapping[str, str] | Callable[[Tokens], Mapping[str, str]]
BodySpec = Callable[[Tokens], Any] | Mapping[str, Any] | Sequence[Any] | str | bytes | None


class TokenFetcher(Protocol):
    """One pipeline step (``TokenFetcherInterface`` has it).

    ``fetch`` receives the tokens of the steps named in ``depends_on`` (by step
    name) and returns this step's token, which is cached for ``ttl`` seconds
    (or until the token's own expiry, if that comes first).
    """

    @property
    def name(self) -> str: ...

    @property
    def depends_on(self) -> Sequence[str]: ...

    @property
    def ttl(self) -> float: ...

    def fetch(self, tokens: Tokens) -> TokenData: ...


class TokenFetcherInterface(ABC):
    """Base class for pipeline steps (see :class:`TokenFetcher`)."""

    name: str
    depends_on: Sequence[str] = ()
    ttl: float = 3600.0

    @abstractmethod
    def fetch(self, tokens: Tokens) -> TokenData:
        """This step's token, obtained with the tokens of the steps it depends on."""


@dataclass
class FetchContext:
    """The tokens gathered during one pipeline run (per run, never shared between threads)."""

    tokens: dict[str, TokenData] = field(default_factory=lambda: {})
    metadata: dict[str, Any] = field(default_factory=lambda: {})

    def add_token(self, name: str, token: TokenData) -> None:
        """Record step ``name``'s token for the steps that depend on it."""
        self.tokens[name] = token


def _dependency_order(names: Sequence[str], deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Steps with their dependencies first, otherwise in the order given; cycles are errors."""
    order: list[str] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in path:
            cycle = [*path[path.index(name) :], name]
            raise PipelineError(
                f"dependency cycle between pipeline steps: {' -> '.join(cycle)} "
                "(each step depends on the next)"
            )
        path.append(name)
        for dependency in deps[name]:
            visit(dependency)
        path.pop()
        done.add(name)
        order.append(name)

    for name in names:
        visit(name)
    return order


class TokenFetchPipeline:
    """Runs token steps in dependency order, each cached in ``storage`` for its own TTL.

    ``final_step`` names the step whose token :meth:`execute` returns; by
    default it is the one step no other step depends on.  Cached tokens count
    as expired ``leeway`` seconds early (at most half the step's TTL).
    ``key_prefix`` keeps several pipelines apart in one storage.
    """

    def __init__(
        self,
        steps: Sequence[TokenFetcher],
        storage: TokenStorage | None = None,
        *,
        final_step: str | None = None,
        key_prefix: str = "pipeline",
        leeway: float = DEFAULT_LEEWAY,
        clock: Clock = utcnow,
    ) -> None:
        if not steps:
            raise PipelineError("a token pipeline needs at least one step")
        by_name: dict[str, TokenFetcher] = {}
        for step in steps:
            name = cast(object, step.name)  # a step is any object with these attributes
            if not isinstance(name, str) or not name:
                raise PipelineError(f"pipeline step {type(step).__name__} has no name")
            if name in by_name:
                raise PipelineError(f"duplicate pipeline step name {name!r}")
            ttl = cast(object, step.ttl)
            if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
                raise PipelineError(f"pipeline step {name!r}: ttl must be > 0 seconds, got {ttl!r}")
            if not math.isfinite(ttl):
                raise PipelineError(f"pipeline step {name!r}: ttl must be finite, got {ttl!r}")
            by_name[name] = step
        deps = {name: tuple(step.depends_on) for name, step in by_name.items()}
        for name, dependencies in deps.items():
            for dependency in dependencies:
                if dependency not in by_name:
                    raise PipelineError(
                        f"pipeline step {name!r} depends on unknown step {dependency!r} "
                        f"(steps: {', '.join(sorted(by_name))})"
                    )
        self._order = _dependency_order(list(by_name), deps)
        self._steps = by_name
        self._deps = deps
        self._dependents: dict[str, list[str]] = {name: [] for name in by_name}
        for name, dependencies in deps.items():
            for dependency in dependencies:
                self._dependents[dependency].append(name)
        if final_step is None:
            sinks = [name for name in self._order if not self._dependents[name]]
            if len(sinks) != 1:
                raise PipelineError(
                    f"pipeline has several last steps ({', '.join(sinks)}); "
                    "say which token execute() returns with final_step="
                )
            final_step = sinks[0]
        elif final_step not in by_name:
            raise PipelineError(f"final_step {final_step!r} is not a pipeline step")
        self._final = final_step
        self._storage: TokenStorage = storage if storage is not None else InMemoryTokenStorage()
        self._key_prefix = key_prefix
        self._leeway = float(leeway)
        self._clock = clock

    @property
    def steps(self) -> tuple[str, ...]:
        """Step names in the order they run."""
        return tuple(self._order)

    @property
    def final_step(self) -> str:
        """The step whose token :meth:`execute` returns."""
        return self._final

    @property
    def storage(self) -> TokenStorage:
        """Where step tokens are cached."""
        return self._storage

    def cache_key(self, step: str) -> str:
        """The storage key of ``step``'s token."""
        return f"{self._key_prefix}:{step}"

    def execute(self, force_refresh: bool = False) -> TokenData:
        """The final step's token, fetching every step whose cached token expired.

        ``force_refresh=True`` fetches every step regardless of the cache.
        """
        context = FetchContext()
        for name in self._order:
            step = self._steps[name]
            cached = None if force_refresh else self._cached(step)
            token = cached if cached is not None else self._fetch(step, context)
            context.add_token(name, token)
        return context.tokens[self._final]

    def _cached(self, step: TokenFetcher) -> TokenData | None:
        token = self._storage.get(self.cache_key(step.name))
        if token is None:
            return None
        leeway = min(self._leeway, step.ttl / 2)
        return None if token.is_expired_within(leeway, self._clock()) else token

    def _fetch(self, step: TokenFetcher, context: FetchContext) -> TokenData:
        name = step.name
        tokens = MappingProxyType({dep: context.tokens[dep] for dep in self._deps[name]})
        try:
            token = step.fetch(tokens)
        except RequestForgeError:
            raise
        except Exception as exc:
            # Only the type: a foreign exception's message may hold anything.
            raise PipelineError(f"pipeline step {name!r} failed with {type(exc).__name__}") from exc
        limit = self._clock() + timedelta(seconds=step.ttl)
        if token.expires_at is None or token.expires_at > limit:
            token = replace(token, expires_at=limit)
        self._storage.set(self.cache_key(name), token)
        return token

    def invalidate(self, step: str) -> list[str]:
        """Drop ``step``'s cached token and those of every step that depends on it.

        Returns the invalidated step names in run order.
        """
        if step not in self._steps:
            raise PipelineError(
                f"cannot invalidate unknown pipeline step {step!r} "
                f"(steps: {', '.join(self._order)})"
            )
        affected = {step}
        pending = [step]
        while pending:
            for dependent in self._dependents[pending.pop()]:
                if dependent not in affected:
                    affected.add(dependent)
                    pending.append(dependent)
        invalidated = [name for name in self._order if name in affected]
        for name in invalidated:
            self._storage.delete(self.cache_key(name))
        return invalidated

    def clear(self) -> None:
        """Drop every step's cached token."""
        for name in self._order:
            self._storage.delete(self.cache_key(name))

    def __repr__(self) -> str:
        return f"TokenFetchPipeline(steps={self._order!r}, final_step={self._final!r})"


class PipelineTokenProvider(TokenProviderInterface):
    """A pipeline as a token provider, so a :class:`TokenManager` can cache and single-flight it.

    The manager asks for a token only when its copy expired or was rejected,
    so :meth:`fetch_token` always fetches the final step again; the steps it
    depends on come from the pipeline's cache while they are valid.
    """

    def __init__(self, pipeline: TokenFetchPipeline, service_name: str) -> None:
        if not service_name:
            raise ConfigurationError("service_name", "must not be empty")
        self.pipeline = pipeline
        self._service_name = service_name

    @property
    def service_name(self) -> str:
        return self._service_name

    def fetch_token(self) -> TokenData:
        self.pipeline.invalidate(self.pipeline.final_step)
        return self.pipeline.execute()

    def refresh_token(self, current: TokenData) -> TokenData:
        return self.fetch_token()

    def __repr__(self) -> str:
        return f"PipelineTokenProvider({self.pipeline!r}, service_name={self._service_name!r})"


class _DependencyValues(dict[str, str]):
    """``str.format_map`` source: step name -> that step's access token."""

    def __missing__(self, key: str) -> str:
        raise PipelineError(f"header template names {key!r}, which is not a dependency")


def _template_fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _json_path(document: Any, path: str) -> Any:
    """``document`` at a dotted path: ``data.token``, ``items.0.token``; None if absent."""
    current: Any = document
    for part in path.split("."):
        if isinstance(current, Mapping):
            current = cast("Mapping[str, Any]", current).get(part)
        elif isinstance(current, list) and part.isdigit():
            items = cast("list[object]", current)
            if int(part) >= len(items):
                return None
            current = items[int(part)]
        else:
            return None
        if current is None:
            return None
    return current


class _HttpTokenFetcher(TokenFetcherInterface):
    """Calls one HTTP endpoint with dependency tokens in headers or body; subclasses read the token.

    ``headers`` is a mapping of templates -- ``{"Authorization": "Bearer {device}"}``
    puts step ``device``'s access token in (``{{``/``}}`` for literal braces) --
    or a callable receiving the dependency tokens.  ``json`` / ``data`` are a
    static body or a callable receiving the dependency tokens.
    """

    def __init__(
        self,
        name: str,
        url: str,
        *,
        method: HttpMethod | str = HttpMethod.POST,
        depends_on: Sequence[str] = (),
        ttl: float = 3600.0,
        headers: HeaderSpec | None = None,
        json: BodySpec = None,
        data: BodySpec = None,
        token_type: str = "Bearer",  # noqa: S107 -- a scheme name, not a secret
        timeout: float = DEFAULT_TOKEN_TIMEOUT,
        http_client: HttpClient | None = None,
        clock: Clock = utcnow,
    ) -> None:
        if not name:
            raise PipelineError("a pipeline step needs a name")
        if not url.startswith(("http://", "https://")):
            raise PipelineError(f"pipeline step {name!r}: url must be absolute http(s)")
        self.name = name
        self.url = url
        self.method = method if isinstance(method, HttpMethod) else HttpMethod(method.upper())
        self.depends_on = tuple(depends_on)
        self.ttl = ttl
        self.token_type = token_type
        self._headers = headers
        self._json = json
        self._data = data
        self._clock = clock
        self._client = http_client if http_client is not None else build_token_client(timeout)
        self._owns_client = http_client is None
        if headers is not None and not callable(headers):
            for header, template in headers.items():
                for placeholder in _template_fields(template):
                    if placeholder not in self.depends_on:
                        raise PipelineError(
                            f"pipeline step {name!r}: header {header!r} uses {{{placeholder}}}, "
                            f"which is not one of its dependencies {list(self.depends_on)}"
                        )

    def _where(self) -> str:
        return f"pipeline step {self.name!r}: {self.method.value} {redact_url(self.url)}"

    def _render_headers(self, tokens: Tokens) -> dict[str, str]:
        if self._headers is None:
            return {}
        if callable(self._headers):
            return dict(self._headers(tokens))
        values = _DependencyValues({name: token.access_token for name, token in tokens.items()})
        return {header: template.format_map(values) for header, template in self._headers.items()}

    @staticmethod
    def _body(spec: BodySpec, tokens: Tokens) -> Any:
        return spec(tokens) if callable(spec) else spec

    def fetch(self, tokens: Tokens) -> TokenData:
        request = HttpRequest(
            method=self.method,
            url=self.url,
            headers={"Accept": "application/json", **self._render_headers(tokens)},
            json_data=self._body(self._json, tokens),
            data=self._body(self._data, tokens),
        )
        try:
            response = self._client.execute(request)
        except RequestForgeError as exc:
            raise TokenFetchError(f"{self._where()} failed: {exc}") from exc
        if not response.is_success:
            payload = response.json_or_none()
            error = (
                cast("dict[str, object]", payload).get("error")
                if isinstance(payload, dict)
                else None
            )
            code = error if isinstance(error, str) else None
            raise TokenFetchError(
                f"{self._where()} answered HTTP {response.status_code}"
                + (f" ({code})" if code else ""),
                error=code,
                status_code=response.status_code,
            )
        return self.extract(response)

    @abstractmethod
    def extract(self, response: HttpResponse) -> TokenData:
        """This step's token from a successful response."""

    def close(self) -> None:
        """Close the private HTTP client (if the fetcher created it)."""
        if self._owns_client:
            self._client.close()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, url={redact_url(self.url)!r}, "
            f"depends_on={list(self.depends_on)!r}, ttl={self.ttl!r})"
        )


class HeaderTokenFetcher(_HttpTokenFetcher):
    """A step whose token comes back in a response header (``token_header``)."""

    def __init__(self, name: str, url: str, token_header: str, **options: Any) -> None:
        super().__init__(name, url, **options)
        self.token_header = token_header

    def extract(self, response: HttpResponse) -> TokenData:
        value = response.headers.get(self.token_header, "").strip()
        if not value:
            raise TokenFetchError(
                f"{self._where()} answered without a {self.token_header!r} header",
                status_code=response.status_code,
            )
        return TokenData(access_token=value, token_type=self.token_type)


class BodyTokenFetcher(_HttpTokenFetcher):
    """A step whose token is in the JSON response at a dotted path (``data.token``).

    ``expires_in_path`` and ``refresh_token_path`` optionally locate a lifetime
    (seconds, number or numeric string) and a refresh token in the same body.
    """

    def __init__(
        self,
        name: str,
        url: str,
        token_path: str = "access_token",  # noqa: S107 -- a JSON path, not a secret
        *,
        expires_in_path: str | None = None,
        refresh_token_path: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(name, url, **options)
        self.token_path = token_path
        self.expires_in_path = expires_in_path
        self.refresh_token_path = refresh_token_path

    def extract(self, response: HttpResponse) -> TokenData:
        document = response.json_or_none()
        if document is None:
            raise TokenFetchError(
                f"{self._where()} answered with a body that is not JSON",
                status_code=response.status_code,
            )
        value = _json_path(document, self.token_path)
        if not isinstance(value, str) or not value:
            raise TokenFetchError(
                f"{self._where()}: no token string at JSON path {self.token_path!r}",
                status_code=response.status_code,
            )
        fields: dict[str, Any] = {"access_token": value, "token_type": self.token_type}
        if self.expires_in_path is not None:
            fields["expires_in"] = _json_path(document, self.expires_in_path)
        if self.refresh_token_path is not None:
            fields["refresh_token"] = _json_path(document, self.refresh_token_path)
        return TokenData.from_response(fields, default_lifetime=None, now=self._clock())
