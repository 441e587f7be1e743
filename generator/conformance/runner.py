"""Generate a client, call every operation against Prism, classify each call.

Outcomes per operation:

``passed``
    Prism accepted the request (no validation violation) and the response
    parsed into the declared type -- the success type, or the model of the
    declared error response Prism chose (an operation that only declares
    ``default`` or error statuses).
``rejected``
    Prism's validator refused the request: a ``https://stoplight.io/prism/errors#...``
    problem with a 4xx status, or request violations in its ``sl-violations``
    header (Prism answers with a declared 4xx response then).  Its ``type`` and
    ``detail`` are recorded.
``parse_failed``
    The response did not parse into the declared type; the error is recorded.
``error``
    Anything else: no value could be synthesised, the client raised, Prism
    failed (a 5xx problem of its own), an undeclared status.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import sys
import tempfile
import time
import typing
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pydantic

from ..diagnostics import Diagnostics
from ..ir import Api, Operation, SecurityScheme
from ..lower import lower
from ..parse import parse_spec
from ..pipeline import generate
from .prism import (
    PrismError,
    PrismServer,
    clean_for_prism,
    load_document_data,
    prism_document,
    split_document,
    start_prism,
)
from .synthesis import SynthesisError, Synthesizer, convert

__all__ = ["OperationResult", "Outcome", "SpecResult", "classify_prism", "run_spec"]

Outcome = Literal["passed", "rejected", "parse_failed", "error"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "rejected", "parse_failed", "error")
PRISM_ERRORS = "https://stoplight.io/prism/errors#"
_REASON_LIMIT = 400


@dataclass
class OperationResult:
    """One operation's call: ``operation`` is ``<tag>.<python name>``."""

    operation: str
    method: str
    path: str
    outcome: Outcome
    status: int | None = None
    reason: str = ""
    prism_type: str | None = None


@dataclass
class SpecResult:
    """Every operation of one document; ``error`` is set when the run could not happen."""

    spec: str
    operations: int
    results: list[OperationResult] = field(default_factory=list)
    prism_startup_seconds: float | None = None
    seconds: float = 0.0
    error: str | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def pass_rate(self) -> float:
        return self.count("passed") / self.operations if self.operations else 1.0


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 3] + "..."


# -- Prism's verdict ----------------------------------------------------------------


def classify_prism(
    status: int, headers: Mapping[str, str], content: bytes
) -> tuple[Outcome, str, str] | None:
    """``(outcome, type, detail)`` when Prism itself answered instead of the mocked API.

    A Prism problem document with a 4xx status, or request violations in the
    ``sl-violations`` header, is a rejection; a Prism problem with another status
    is an error of Prism's.  ``None``: the mocked API answered.
    """
    content_type = headers.get("content-type", "")
    if "json" in content_type and content:
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if isinstance(body, dict) and str(body.get("type", "")).startswith(PRISM_ERRORS):
            problem = str(body["type"])
            detail = str(body.get("detail") or body.get("title") or "")
            validation = body.get("validation")
            if isinstance(validation, list) and validation:
                detail += ": " + "; ".join(_violation(item) for item in validation)
            outcome: Outcome = "rejected" if 400 <= status < 500 else "error"
            return outcome, problem.removeprefix(PRISM_ERRORS), _short(detail)
    raw = headers.get("sl-violations")
    if raw:
        try:
            violations = json.loads(raw)
        except ValueError:
            violations = []
        errors = [
            item
            for item in violations
            if isinstance(item, dict)
            and item.get("severity", "Error") == "Error"
            and (item.get("location") or ["request"])[0] == "request"
        ]
        if errors:
            detail = "; ".join(_violation(item) for item in errors)
            return "rejected", "sl-violations", _short(detail)
    return None


def _violation(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    location = ".".join(str(part) for part in item.get("location", []))
    message = str(item.get("message", ""))
    return f"{location}: {message}" if location else message


# -- the generated client -------------------------------------------------------------


@contextmanager
def _generated_client(spec_path: Path, package_name: str) -> Iterator[ModuleType]:
    """Generate the client into a temporary directory and import it (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="forgegen-conformance-") as tmp:
        generate(spec_path, Path(tmp) / package_name, package_name=package_name, quiet=True)
        sys.path.insert(0, tmp)
        try:
            yield importlib.import_module(package_name)
        finally:
            sys.path.remove(tmp)
            for name in [m for m in sys.modules if m.split(".")[0] == package_name]:
                del sys.modules[name]


def _scheme_hook(runtime: ModuleType, scheme: SecurityScheme) -> Any:
    """A runtime auth hook with made-up credentials for ``scheme`` (Prism checks presence)."""
    if scheme.kind == "apiKey":
        return runtime.ApiKeyAuthHook(
            scheme.parameter_name or "api_key", "conformance-key", scheme.location or "header"
        )
    if scheme.kind == "http_basic":
        return runtime.BasicAuthHook("conformance", "password")
    if scheme.kind in ("http_bearer", "oauth2", "openIdConnect"):
        return runtime.BearerTokenAuthHook("conformance-token")
    return None  # mutualTLS: nothing Prism can check on the wire


def _operations(api: Api) -> list[Operation]:
    return [operation for tag in api.tags for operation in tag.operations]


# -- arguments ----------------------------------------------------------------------


class _Arguments:
    """Keyword arguments for one operation's ``sync_detailed``, from the spec's schemas."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self.synth = Synthesizer(document)

    def _node(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _spec_parameters(self, operation: Operation) -> dict[tuple[str, str], Any]:
        path_pointer = operation.pointer.rsplit("/", 1)[0]
        found: dict[tuple[str, str], Any] = {}
        for pointer in (path_pointer, operation.pointer):
            node = self._node(pointer)
            for parameter in node.get("parameters", []) if isinstance(node, Mapping) else []:
                resolved = self.synth.resolve(parameter)
                found[(resolved.get("name"), resolved.get("in"))] = resolved
        return found

    def _parameter_schema(self, parameter: Mapping[str, Any]) -> Any:
        if "schema" in parameter:
            schema = self.synth.resolve(parameter["schema"])
            if (
                isinstance(schema, Mapping)
                and "example" in parameter
                and not any(key in schema for key in ("enum", "const", "default", "example"))
            ):
                return {**schema, "example": parameter["example"]}
            return schema
        content = parameter.get("content") or {}
        for media in content.values():
            return media.get("schema", {})
        return {}

    def build(self, operation: Operation, function: Callable[..., Any]) -> dict[str, Any]:
        hints = typing.get_type_hints(function)
        spec_parameters = self._spec_parameters(operation)
        kwargs: dict[str, Any] = {}
        for parameter in operation.parameters:
            if not parameter.required:
                continue
            spec = spec_parameters.get((parameter.wire_name, parameter.location), {})
            schema = self._parameter_schema(spec)
            kwargs[parameter.python_name] = self._converted(
                schema,
                hints[parameter.python_name],
                f"parameter {parameter.wire_name}",
                prefer_string=True,
            )
        if self._examples_only(operation) and "headers" in inspect.signature(function).parameters:
            # Prism cannot make up a body without a schema; it serves the example
            kwargs["headers"] = {"Prefer": "dynamic=false"}
        if operation.body is not None:
            node = self._node(operation.pointer)
            request_body = self.synth.resolve(node.get("requestBody", {}))
            media = (request_body.get("content") or {}).get(operation.body.content_type, {})
            schema = media.get("schema", {})
            hint = hints[operation.body.python_name]
            if operation.body.encoding == "binary":
                kwargs[operation.body.python_name] = convert(b"conformance-binary-body", hint)
            else:
                kwargs[operation.body.python_name] = self._converted(schema, hint, "body")
        return kwargs

    def _examples_only(self, operation: Operation) -> bool:
        """A success response of the operation declares content without a schema."""
        node = self._node(operation.pointer)
        responses = node.get("responses") or {}
        for status, response in responses.items():
            if not str(status).startswith("2"):
                continue
            content = self.synth.resolve(response).get("content") or {}
            if any(
                isinstance(media, Mapping) and "schema" not in media for media in content.values()
            ):
                return True
        return False

    def _converted(self, schema: Any, hint: Any, what: str, *, prefer_string: bool = False) -> Any:
        try:
            value = self.synth.value(schema, prefer_string=prefer_string)
        except SynthesisError as error:
            raise SynthesisError(f"{what}: {error}") from None
        try:
            return convert(value, hint)
        except pydantic.ValidationError:
            pass
        try:  # a generated model may require a readOnly property
            value = self.synth.value(schema, with_read_only=True, prefer_string=prefer_string)
            return convert(value, hint)
        except (pydantic.ValidationError, SynthesisError) as error:
            raise SynthesisError(f"{what}: {_short(str(error))}") from None


# -- one call -------------------------------------------------------------------------


def _call(
    package: ModuleType,
    client: Any,
    operation: Operation,
    arguments: _Arguments,
    call_timeout: float,
    *,
    asynchronous: bool = False,
) -> OperationResult:
    name = f"{operation.tag}.{operation.python_name}"
    result = OperationResult(name, operation.method, operation.path, "error")
    errors = importlib.import_module(f"{package.__name__}.errors")
    try:
        module = importlib.import_module(f"{package.__name__}.{operation.module}")
        # The async twin takes the same keywords: they are built from the sync one.
        kwargs = arguments.build(operation, module.sync_detailed)
        function = module.asyncio_detailed if asynchronous else module.sync_detailed
    except Exception as error:  # every failure is a recorded outcome
        result.reason = f"arguments: {type(error).__name__}: {_short(str(error))}"
        return result
    try:
        if asynchronous:  # one short event loop per call, on this worker thread
            response = asyncio.run(function(client, **kwargs, timeout=call_timeout))
        else:
            response = function(client, **kwargs, timeout=call_timeout)
    except errors.ApiError as error:
        return _classify_api_error(result, module, error)
    except (pydantic.ValidationError, json.JSONDecodeError) as error:
        result.outcome = "parse_failed"
        result.reason = f"{type(error).__name__}: {_short(str(error))}"
        return result
    except Exception as error:  # recorded as the operation's error
        result.reason = f"{type(error).__name__}: {_short(str(error))}"
        return result
    raw = response.raw
    result.status = raw.status_code
    verdict = classify_prism(raw.status_code, raw.headers, raw.content)
    if verdict is not None:
        result.outcome, result.prism_type, result.reason = verdict
        return result
    result.outcome = "passed"
    return result


def _classify_api_error(result: OperationResult, module: ModuleType, error: Any) -> OperationResult:
    raw = error.response
    result.status = raw.status_code
    verdict = classify_prism(raw.status_code, raw.headers, raw.content)
    if verdict is not None:
        result.outcome, result.prism_type, result.reason = verdict
        return result
    if type(error).__module__ != module.__name__:
        result.reason = f"undeclared status {raw.status_code}: {_short(str(error))}"
        return result
    model = type(error).model
    if model is not None and raw.content and error.parsed is None:
        try:
            pydantic.TypeAdapter(model).validate_json(raw.content)
            detail = "declared error body did not parse"
        except (pydantic.ValidationError, ValueError) as parse_error:
            detail = str(parse_error)
        result.outcome = "parse_failed"
        result.reason = f"{raw.status_code} {type(error).__name__}: {_short(detail)}"
        return result
    result.outcome = "passed"
    result.reason = f"declared error response {raw.status_code} parsed"
    return result


# -- one document ---------------------------------------------------------------------


def run_spec(
    spec_path: str | Path,
    *,
    port: int | None = None,
    prism_command: list[str] | None = None,
    startup_timeout: float = 120.0,
    workers: int = 4,
    call_timeout: float = 30.0,
    split: bool = False,
    asynchronous: bool = False,
) -> SpecResult:
    """Generate the client for ``spec_path`` and call every operation against Prism.

    ``asynchronous``: call through the generated ``AsyncClient`` (``asyncio_detailed``)
    instead of ``Client`` -- Prism judges the async transport the same way.

    ``split``: one Prism per tag, each on a part of the document holding only
    that tag's operations and the components they reach (for documents too big
    for one Prism; an OpenAPI 3.x document only).
    """
    started = time.monotonic()
    spec_path = Path(spec_path)
    package_name = f"conformance_{uuid.uuid4().hex[:10]}"
    parsed = parse_spec(spec_path)
    api = lower(
        parsed.openapi, parsed.document, package_name=package_name, diagnostics=Diagnostics()
    )
    operations = _operations(api)
    spec = SpecResult(spec_path.name, len(operations))
    if not operations:
        spec.seconds = time.monotonic() - started
        return spec
    with (
        tempfile.TemporaryDirectory(prefix="forgegen-prism-") as work,
        _generated_client(spec_path, package_name) as package,
    ):
        work_dir = Path(work)
        if split and parsed.original_version != "2.0":
            parts = _split_parts(spec_path, work_dir, api)
        else:
            parts = [(prism_document(spec_path, work_dir), operations)]
        calls = _Calls(package, api, parsed.document, call_timeout, asynchronous)
        startups: list[float] = []
        for document, part_operations in parts:

            def start(document: Path = document) -> PrismServer:
                return start_prism(
                    document,
                    port=port,
                    command=prism_command,
                    startup_timeout=startup_timeout,
                    log_dir=work_dir,
                )

            try:
                server = start()
            except PrismError as error:
                if len(parts) == 1:
                    spec.error = str(error)
                    break
                reason = "Prism did not start for this tag's part: " + str(error).splitlines()[0]
                spec.results.extend(_not_called(part_operations, reason))
                continue
            startups.append(server.startup_seconds)
            spec.results.extend(calls.run_all(part_operations, server, start, workers))
        if startups:
            spec.prism_startup_seconds = round(max(startups), 2)
    spec.seconds = round(time.monotonic() - started, 2)
    return spec


def _split_parts(spec_path: Path, work_dir: Path, api: Api) -> list[tuple[Path, list[Operation]]]:
    """One cleaned part of the document per tag, written to ``work_dir``."""
    data = clean_for_prism(load_document_data(spec_path))
    parts: list[tuple[Path, list[Operation]]] = []
    for tag in api.tags:
        keys = []
        for operation in tag.operations:
            _, _, path, method = operation.pointer.split("/", 3)
            keys.append((path.replace("~1", "/").replace("~0", "~"), method))
        target = work_dir / f"prism-part-{tag.python_name}.json"
        target.write_text(json.dumps(split_document(data, keys), default=str), encoding="utf-8")
        parts.append((target, list(tag.operations)))
    return parts


def _not_called(operations: list[Operation], reason: str) -> list[OperationResult]:
    return [
        OperationResult(
            f"{operation.tag}.{operation.python_name}",
            operation.method,
            operation.path,
            "error",
            reason=reason,
        )
        for operation in operations
    ]


_LOST = ("ConnectError", "ReadError", "Connection refused", "Connection reset")


def _lost(result: OperationResult) -> bool:
    """The call never got an answer: Prism went away under it."""
    return result.status is None and any(mark in result.reason for mark in _LOST)


def _crash_summary(server: PrismServer) -> str:
    """The error line of a Prism crash from its log (``TypeError: ...``)."""
    lines = server.log_tail(60).splitlines()
    for line in lines:
        stripped = line.strip()
        if stripped and ("Error:" in stripped or "Error " in stripped) and "\u203a" not in stripped:
            return stripped
    return f"exit status {server.process.returncode}"


class _Calls:
    """Calls operations through one generated client, restarting Prism when it crashes."""

    def __init__(
        self,
        package: ModuleType,
        api: Api,
        document: Mapping[str, Any],
        call_timeout: float,
        asynchronous: bool = False,
    ) -> None:
        self.package = package
        self.asynchronous = asynchronous
        self.call_timeout = call_timeout
        self.arguments = _Arguments(document)
        self.runtime = runtime = importlib.import_module(f"{package.__name__}._runtime")
        self.hooks = {
            scheme.name: hook
            for scheme in api.security_schemes
            if (hook := _scheme_hook(runtime, scheme)) is not None
        }

    @contextmanager
    def _client(self, server: PrismServer) -> Iterator[Any]:
        """The generated ``Client`` on Prism, not following redirects: the harness
        judges the exchange with Prism, and a declared ``302`` (GitHub's downloads)
        points at a host that is not there."""
        config = (
            self.runtime.HttpClientConfigBuilder()
            .with_base_url(server.base_url)
            .with_redirects(False)
            .build()
        )
        if self.asynchronous:
            # Each call runs in its own event loop; the transport keeps one pool per
            # loop and closes it with the loop, so there is nothing to close here.
            async_http = self.runtime.AsyncHttpClient(config)
            yield self.package.AsyncClient(http_client=async_http, auth_by_scheme=self.hooks)
            return
        http = self.runtime.HttpClient(config)
        client = self.package.Client(http_client=http, auth_by_scheme=self.hooks)
        try:
            yield client
        finally:
            client.close()
            http.close()

    def _one(self, client: Any, operation: Operation) -> OperationResult:
        return _call(
            self.package,
            client,
            operation,
            self.arguments,
            self.call_timeout,
            asynchronous=self.asynchronous,
        )

    def run_all(
        self,
        operations: list[Operation],
        server: PrismServer,
        start: Callable[[], PrismServer],
        workers: int,
    ) -> list[OperationResult]:
        for operation in operations:  # imported here: importing in worker threads can deadlock
            try:
                importlib.import_module(f"{self.package.__name__}.{operation.module}")
            except Exception:  # noqa: S112 -- reported by the call itself
                continue
        with (
            self._client(server) as client,
            warnings.catch_warnings(),
            ThreadPoolExecutor(max_workers=max(workers, 1)) as pool,
        ):
            warnings.simplefilter("ignore", DeprecationWarning)  # deprecated operations
            results = list(pool.map(lambda op: self._one(client, op), operations))
        if server.process.poll() is None:
            server.stop()
            return results
        # Prism crashed: call the operations that lost their answer again, one at a
        # time, on a fresh Prism each time it goes down; the one that kills it is
        # recorded with the crash.
        server.stop()
        server = start()
        try:
            for index, operation in enumerate(operations):
                if not _lost(results[index]):
                    continue
                with self._client(server) as client:
                    result = self._one(client, operation)
                if _lost(result) or server.process.poll() is not None:
                    time.sleep(0.2)
                    if server.process.poll() is not None:
                        result.reason = f"Prism crashed on this request: {_crash_summary(server)}"
                        server.stop()
                        server = start()
                results[index] = result
        finally:
            server.stop()
        return results
