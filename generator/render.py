"""Render: the IR poured into the Jinja2 templates, one source text per file.

``render`` makes no naming or typing decisions -- ``lower`` made them.  What
happens here is bookkeeping the templates should not do: which imports a
module needs (as relative imports, so the package works under any parent), the
order definitions must appear in, and turning IR values into the source
fragments templates print.  Every spec string reaches a fragment only through
:mod:`forgegen.escaping`, which the templates use as filters too.

Output is a ``{relative path: text}`` mapping, not yet black-formatted; equal
IR gives byte-identical output (everything is sorted or in the IR's order).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from . import __version__
from .cache_seal import CacheSeal, current_seal
from .client_views import ClientAuthView, auth_docs, client_auth_view, env_prefix
from .codegen import (
    RUNTIME_PACKAGE,
    VENDORED_RUNTIME,
    ImportSet,
    RenderError,
    RuntimeMode,
    annotation,
    isort_key,
    module_path,
    relative,
)
from .escaping import (
    comment,
    docblock,
    docstring,
    identifier,
    markdown,
    markdown_prose,
    py_literal,
    py_str,
)
from .ir import Api, EnumType, Model, Operation, Tag, TypeAlias
from .layout import import_line, layout_call
from .model_views import alias_view, enum_view, model_view, ordered_aliases
from .operation_views import STATUS_ERRORS, operation_view
from .render_memo import RenderMemo
from .webhook_views import MODULE as WEBHOOK_MODULE
from .webhook_views import webhook_module_view

__all__ = [
    "RUNTIME_PACKAGE",
    "STATUS_ERRORS",
    "RenderError",
    "RuntimeMode",
    "module_path",
    "relative",
    "render",
    "runtime_sources",
]

# -- the package -----------------------------------------------------------------


def _environment(template_cache: Path | None = None) -> jinja2.Environment:
    """The Jinja environment; ``template_cache`` keeps compiled templates between runs.

    Compiling the templates costs ~0.05 s when all are used and ~0.03 s of a
    warm regeneration of GitHub's API (~0.6 s); Jinja's bytecode cache is keyed by
    each template's source checksum, so an edited or upgraded template is
    compiled again.  Jinja executes that bytecode, so its entries are sealed
    (:class:`_SealedBytecodeCache`).
    """
    templates = resources.files("forgegen.templates")

    def load(name: str) -> str:
        return templates.joinpath(name).read_text(encoding="utf-8")

    # Autoescaping is for HTML; this generates Python, where every spec string
    # goes through an explicit filter from forgegen.escaping instead.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(template_cache),
    )
    env.filters.update(
        py_str=py_str,
        docstring=docstring,
        docblock=docblock,
        comment=comment,
        identifier=identifier,
        py_literal=py_literal,
        markdown=markdown,
        markdown_prose=markdown_prose,
        annotation=annotation,
    )
    env.globals["call"] = layout_call
    env.globals["import_line"] = import_line
    return env


class _SealedBytecodeCache(jinja2.BytecodeCache):
    """Jinja's compiled templates in ``directory``, each file sealed by ``seal``.

    Jinja's own ``FileSystemBytecodeCache`` unmarshals and runs whatever code
    object a file holds; here a file is used only when this user's forgegen
    sealed it for that template (:mod:`forgegen.cache_seal`), else it is
    compiled again and overwritten.
    """

    KIND = "bytecode"

    def __init__(self, directory: Path, seal: CacheSeal) -> None:
        self.directory = directory
        self.seal = seal

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.directory / f"__jinja2_{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.seal.read(self.KIND, bucket.key, self._path(bucket), where=self.directory)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.seal.write(self.KIND, bucket.key, self._path(bucket), bucket.bytecode_to_string())


def _bytecode_cache(directory: Path | None) -> jinja2.BytecodeCache | None:
    """Sealed by the running generation's seal (none: the user's key is unusable, no cache)."""
    if directory is None:
        return None
    seal = current_seal()
    return _SealedBytecodeCache(directory, seal) if seal is not None else None


def runtime_sources() -> dict[str, str]:
    """The installed runtime's ``.py`` files (relative POSIX path -> text), sorted by path.

    Subpackages (``integrations/``) are vendored too: a framework middleware must
    come from the same runtime copy as the client it configures.
    """
    package = resources.files(RUNTIME_PACKAGE)
    sources: dict[str, str] = {}
    pending = [("", package)]
    while pending:
        prefix, directory = pending.pop()
        for entry in directory.iterdir():
            if entry.is_dir():
                if entry.joinpath("__init__.py").is_file():
                    pending.append((f"{prefix}{entry.name}/", entry))
            elif entry.name.endswith(".py"):
                sources[prefix + entry.name] = entry.read_bytes().decode("utf-8")
    return dict(sorted(sources.items()))


def _servers_default(api: Api) -> str:
    for server in api.servers:
        url = server.url.rstrip("/")
        if re.match(r"^https?://[^{}\s]+$", url):
            return url
    return ""


def _definitions_by_module(
    api: Api,
) -> dict[str, tuple[list[Model], list[EnumType], list[TypeAlias]]]:
    modules: dict[str, tuple[list[Model], list[EnumType], list[TypeAlias]]] = defaultdict(
        lambda: ([], [], [])
    )
    for model in api.models:
        modules[model.module][0].append(model)
    for enum in api.enums:
        modules[enum.module][1].append(enum)
    for alias in api.aliases:
        modules[alias.module][2].append(alias)
    return dict(sorted(modules.items()))


def _check_unique(kind: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise RenderError(f"two {kind} are named {name!r}")
        seen.add(name)


def render(
    api: Api,
    *,
    runtime: RuntimeMode = "vendored",
    spec_sha256: str = "",
    options: Mapping[str, object] | None = None,
    template_cache: Path | None = None,
    memo: RenderMemo | None = None,
) -> dict[str, str]:
    """Every file of the generated package, as ``{relative path: source text}``.

    ``spec_sha256`` and ``options`` go into ``.forgegen.json``; ``runtime``
    chooses between a vendored ``_runtime/`` copy and importing ``requestforge``;
    ``template_cache`` is where compiled templates are kept (none: compile each run).
    With a ``memo``, model and operation modules whose inputs it knows are taken
    from it, already formatted (``memo.reused`` lists them).
    """
    if runtime not in ("vendored", "package"):
        raise RenderError(f"runtime must be 'vendored' or 'package', got {runtime!r}")
    identifier(api.package_name)
    env = _environment(template_cache)
    files: dict[str, str] = {}

    def emit(path: str, text: str) -> None:
        if path in files:
            raise RenderError(f"two generated files would be written to {path!r}")
        files[path] = text

    definitions = _definitions_by_module(api)
    everything: list[Model | EnumType | TypeAlias] = [*api.models, *api.enums, *api.aliases]
    _check_unique("models, enums or aliases", [d.name for d in everything])
    _check_unique("tags", [tag.python_name for tag in api.tags])
    exports: dict[str, str] = {}
    for module, (models, enums, aliases) in definitions.items():
        path = module_path(module)
        text = None
        if memo is not None:
            text = memo.lookup(path, "model_module.py", module, runtime, models, enums, aliases)
        if text is None:
            text = _model_module(
                env, module, models=models, enums=enums, aliases=aliases, runtime=runtime
            )
        emit(path, text)
        defined: list[Model | EnumType | TypeAlias] = [*models, *enums, *aliases]
        for definition in defined:
            exports[definition.name] = relative("models", module, from_package=True)

    emit(
        "models/__init__.py",
        env.get_template("models_init.py.jinja").render(
            exports=sorted(exports.items()), title=api.title
        ),
    )

    for tag in api.tags:
        _render_tag(env, emit, tag, runtime, memo)
    emit(
        "api/__init__.py",
        env.get_template("api_init.py.jinja").render(
            title=api.title, tags=[(t.python_name, t.class_name) for t in api.tags]
        ),
    )

    client_imports, auth_view, client_tags = _client_parts(api, "_client", SYNC_RESOURCE, runtime)
    emit(
        "_client.py",
        env.get_template("client.py.jinja").render(
            api=api,
            imports=client_imports.lines(),
            default_base_url=_servers_default(api),
            tags=client_tags,
            auth=auth_view,
        ),
    )
    _render_async_client(env, emit, api, runtime)
    errors_imports = ImportSet("errors", runtime=runtime)
    errors_imports.runtime_names(*_ERROR_NAMES)
    emit(
        "errors.py",
        env.get_template("errors.py.jinja").render(
            imports=errors_imports.lines(), names=_ERROR_NAMES
        ),
    )
    emit(
        "__init__.py",
        env.get_template("package_init.py.jinja").render(
            api=api,
            error_names=_ERROR_NAMES,
            exports=sorted([*_ERROR_NAMES, "AsyncClient", "Client", "__version__"], key=isort_key),
        ),
    )
    if api.webhooks is not None:
        view = webhook_module_view(api.title, api.webhooks, runtime)
        emit(f"{WEBHOOK_MODULE}.py", env.get_template("webhooks.py.jinja").render(view=view))
    emit("py.typed", "")
    emit(
        "README.md",
        env.get_template("README.md.jinja").render(
            api=api,
            runtime=runtime,
            examples=_examples(api),
            streams=_stream_examples(api),
            auth=auth_docs(api),
            env_prefix=env_prefix(api),
            auth_example=_auth_example(api),
        ),
    )
    if runtime == "vendored":
        for name, text in runtime_sources().items():
            emit(f"{VENDORED_RUNTIME}/{name}", text)
    _add_package_inits(files)
    metadata = {
        "generator": "forgegen",
        "generator_version": __version__,
        "options": {"package_name": api.package_name, "runtime": runtime, **(options or {})},
        "spec_sha256": spec_sha256,
    }
    files[".forgegen.json"] = json.dumps(metadata, indent=2, sort_keys=True) + "\n"
    return dict(sorted(files.items()))


def _model_module(
    env: jinja2.Environment,
    module: str,
    *,
    models: list[Model],
    enums: list[EnumType],
    aliases: list[TypeAlias],
    runtime: RuntimeMode,
) -> str:
    """One ``models`` module: its enums, models and aliases, in definition order."""
    defined: list[Model | EnumType | TypeAlias] = [*models, *enums, *aliases]
    imports = ImportSet(module, runtime=runtime)
    ordered_models = sorted(models, key=lambda m: m.name)
    imports.defined = {d.name for d in defined}
    classes = (
        [enum_view(e, imports) for e in sorted(enums, key=lambda e: e.name)]
        + [model_view(m, imports) for m in ordered_models]
        + [alias_view(a, imports) for a in ordered_aliases(aliases)]
    )
    rebuild = [
        m.name
        for m in ordered_models
        if len(ordered_models) > 1 or aliases or any(m.name in f.type.models for f in m.fields)
    ]
    if _refers_forward(ordered_models, defined):
        # Only a module whose models refer forward (to each other, to its
        # aliases, to themselves) needs string annotations.  Elsewhere Python
        # evaluates them as the class is built, which pydantic would otherwise
        # do by compiling each string: a third of a model's import time.
        imports.external("__future__", "annotations")
    pointers = sorted({d.pointer for d in defined if d.pointer})
    return env.get_template("model_module.py.jinja").render(
        pointers=pointers,
        imports=imports.lines(),
        classes=classes,
        rebuild=rebuild,
    )


_ERROR_NAMES = (
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "MissingCredentialsError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnauthorizedError",
    "UnprocessableEntityError",
)


#: The module of a tag's ``Resource`` class, beside (not in) the tag package's
#: ``__init__``: importing one endpoint module then imports that module alone, not
#: every operation of the tag.  Operation module names never start with "_".
RESOURCE_MODULE = "_resource"
#: The tag's ``AsyncResource`` class, in its own module so sync users never load it.
ASYNC_RESOURCE_MODULE = "_async_resource"


def async_class_name(class_name: str) -> str:
    """``PetApi`` -> ``AsyncPetApi``: unique per tag because tag class names are."""
    return f"Async{class_name}"


@dataclass(frozen=True)
class ResourceFlavour:
    """What differs between a tag's sync and async resource class."""

    module: str
    base: str
    endpoint: str
    call: str  # the operation functions bound: ``sync``/``sync_detailed`` or ``asyncio``/...
    paginated_endpoint: str  # the endpoint class of operations that page (adds ``.iterate``)
    iterate: str  # the operation function it binds as ``.iterate``
    streaming_endpoint: str  # the endpoint class of operations that stream (adds ``.stream``)
    stream: str  # the operation function it binds as ``.stream``
    access: str  # how the README and docstrings reach it
    class_name: Callable[[str], str]


SYNC_RESOURCE = ResourceFlavour(
    module=RESOURCE_MODULE,
    base="Resource",
    endpoint="Endpoint",
    call="sync",
    paginated_endpoint="PaginatedEndpoint",
    iterate="iterate",
    streaming_endpoint="StreamingEndpoint",
    stream="stream",
    access="client",
    class_name=lambda name: name,
)
ASYNC_RESOURCE = ResourceFlavour(
    module=ASYNC_RESOURCE_MODULE,
    base="AsyncResource",
    endpoint="AsyncEndpoint",
    call="asyncio",
    paginated_endpoint="AsyncPaginatedEndpoint",
    iterate="aiterate",
    streaming_endpoint="AsyncStreamingEndpoint",
    stream="astream",
    access="async_client",
    class_name=async_class_name,
)


def _refers_forward(
    ordered_models: list[Model], defined: list[Model | EnumType | TypeAlias]
) -> bool:
    """Whether a model's annotations name a definition of its module not yet defined above it.

    Enums come first in a model module, then the models in this order, then aliases.
    """
    pending = {d.name for d in defined if not isinstance(d, EnumType)}
    for model in ordered_models:
        refers = set().union(*(f.type.models for f in model.fields))
        if model.extra is not None:
            refers |= model.extra.models
        if refers & pending:
            return True
        pending.discard(model.name)
    return False


def _endpoint_kind(operation: Operation) -> str:
    """Which endpoint class binds ``operation``: paging wins over streaming when both apply.

    An operation that pages and also streams is not a shape APIs use; its
    module still has ``stream()`` for the rare caller that wants it.
    """
    if operation.pagination is not None:
        return "paginated"
    return "streaming" if operation.event_streams else ""


def _render_tag(
    env: jinja2.Environment,
    emit: Callable[[str, str], None],
    tag: Tag,
    runtime: RuntimeMode,
    memo: RenderMemo | None,
) -> None:
    tag_package = f"api.{identifier(tag.python_name)}"
    _check_unique(f"operations of tag {tag.name!r}", [op.python_name for op in tag.operations])
    # (name, module alias, summary, kind): kind is "paginated", "streaming" or ""
    endpoints: list[tuple[str, str, str, str]] = []
    module_imports: list[tuple[str, str, str]] = []  # (package, module, alias)
    for operation in tag.operations:
        path = module_path(operation.module)
        text = None
        if memo is not None:
            text = memo.lookup(path, "operation.py", runtime, operation)
        if text is None:
            imports = ImportSet(operation.module, runtime=runtime)
            view = operation_view(operation, imports)
            text = env.get_template("operation.py.jinja").render(op=view, imports=imports.lines())
        emit(path, text)
        parent, _, leaf = operation.module.rpartition(".")
        alias = f"_{identifier(leaf)}"
        module_imports.append((parent, leaf, alias))
        endpoints.append(
            (
                identifier(operation.python_name),
                alias,
                (operation.summary or "").strip(),
                _endpoint_kind(operation),
            )
        )
    emit(
        module_path(tag_package, package=True),
        env.get_template("tag_init.py.jinja").render(
            tag=tag, async_class=async_class_name(tag.class_name)
        ),
    )
    for flavour in (SYNC_RESOURCE, ASYNC_RESOURCE):
        module = f"{tag_package}.{flavour.module}"
        resource_imports = ImportSet(module, runtime=runtime)
        resource_imports.external("__future__", "annotations")
        resource_imports.runtime_names(flavour.endpoint, flavour.base)
        kinds = {kind for *_, kind in endpoints}
        if "paginated" in kinds:
            resource_imports.runtime_names(flavour.paginated_endpoint)
        if "streaming" in kinds:
            resource_imports.runtime_names(flavour.streaming_endpoint)
        # Operation modules load when an endpoint is first reached, not with the
        # resource: ``client.repos`` would otherwise import 161 modules and their models.
        for package, leaf, alias in module_imports:
            if package != tag_package:
                raise RenderError(f"operation module {package}.{leaf} is outside {tag_package}")
            resource_imports.lazy_sibling(leaf, alias)
        emit(
            module_path(module),
            env.get_template("resource.py.jinja").render(
                tag=tag,
                class_name=flavour.class_name(tag.class_name),
                flavour=flavour,
                imports=resource_imports.lines(),
                endpoints=endpoints,
            ),
        )


def _render_async_client(
    env: jinja2.Environment, emit: Callable[[str, str], None], api: Api, runtime: RuntimeMode
) -> None:
    """``_async_client.py``: loaded only when ``AsyncClient`` is first used."""
    imports, auth_view, tags = _client_parts(api, "_async_client", ASYNC_RESOURCE, runtime)
    imports.local("_client", "Client")
    imports.runtime_names_for_typing("SecuritySchemeSpec")
    first = next((t for t in api.tags if t.operations), None)
    example = (
        f"{identifier(first.python_name)}.{identifier(first.operations[0].python_name)}"
        if first is not None
        else "<tag>.<operation>"
    )
    emit(
        "_async_client.py",
        env.get_template("async_client.py.jinja").render(
            api=api, imports=imports.lines(), example=example, tags=tags, auth=auth_view
        ),
    )


def _client_parts(
    api: Api, module: str, flavour: ResourceFlavour, runtime: RuntimeMode
) -> tuple[ImportSet, ClientAuthView, list[tuple[str, str, str, Tag]]]:
    """What ``Client`` and ``AsyncClient`` are both rendered from: imports, credentials,
    and per tag (property name, resource class, its module, the tag)."""
    imports = ImportSet(module, runtime=runtime)
    imports.external("__future__", "annotations")
    imports.external("functools", "cached_property")
    imports.external("typing", "TYPE_CHECKING", "ClassVar")
    auth_view = client_auth_view(api, imports, asynchronous=flavour is ASYNC_RESOURCE)
    tags = []
    for tag in api.tags:
        resource_module = f"api.{tag.python_name}.{flavour.module}"
        class_name = identifier(flavour.class_name(tag.class_name))
        # the resource classes are only annotations of the cached properties
        imports.local_for_typing(resource_module, class_name)
        tags.append(
            (identifier(tag.python_name), class_name, relative(module, resource_module), tag)
        )
    return imports, auth_view, tags


def _add_package_inits(files: dict[str, str]) -> None:
    directories: set[str] = set()
    for path in files:
        if not path.endswith(".py"):
            continue
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            directories.add("/".join(parts[:depth]))
    for directory in sorted(directories):
        init = f"{directory}/__init__.py"
        if init not in files:
            files[init] = '"""Generated by forgegen."""\n'


def _auth_example(api: Api) -> tuple[str, list[list[str]]] | None:
    """(call, requirements: OR of ANDs of scheme names) of a secured operation.

    The first with alternatives, else the first secured one.
    """
    secured = [
        (call, [list(requirement) for requirement in operation.security])
        for _tag, operation, call in _examples(api)
        if any(operation.security)
    ]
    with_alternatives = [example for example in secured if len(example[1]) > 1]
    chosen = with_alternatives or secured
    return chosen[0] if chosen else None


def _stream_examples(api: Api) -> list[tuple[str, str, bool]]:
    """(``.stream(...)`` call, event type, whether it sets the body's flag) per streaming op.

    Only operations bound with ``.stream`` (see :func:`_endpoint_kind`).
    """
    result = []
    for _tag, operation, call in _examples(api):
        if _endpoint_kind(operation) != "streaming":
            continue
        head, _, args = call.partition("(")
        event_type = operation.event_streams[0].type.annotation
        result.append((f"{head}.stream({args}", event_type, operation.stream_flag is not None))
    return result


def _examples(api: Api) -> list[tuple[Tag, Operation, str]]:
    examples = []
    for tag in api.tags:
        for operation in tag.operations:
            args = []
            for parameter in operation.parameters:
                if parameter.required:
                    args.append(f"{parameter.python_name}=...")
            if operation.body is not None and operation.body.required:
                args.append(f"{operation.body.python_name}=...")
            call = f"client.{tag.python_name}.{operation.python_name}({', '.join(args)})"
            examples.append((tag, operation, call))
    return examples
