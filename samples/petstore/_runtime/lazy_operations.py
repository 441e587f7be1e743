"""Operation modules a generated resource binds without importing them.

``client.repos`` is a resource class with one endpoint per operation of the
tag: 161 of them on GitHub.  Importing every operation module (and through
them every model they parse) when the resource is first touched cost a fresh
process about 130 ms before its first ``client.repos.get(...)`` call, for
operations it never makes (issue 8).

So a generated resource module imports its operation modules only for the
type checker, and at run time binds stand-ins::

    if TYPE_CHECKING:
        from . import repos_get as _repos_get
    else:
        _repos_get = LazyOperation(__package__, "repos_get")

    class ReposApi(Resource):
        repos_get = Endpoint(_repos_get.sync, _repos_get.sync_detailed)

``_repos_get.sync`` is then a :class:`DeferredFunction`; the endpoint
descriptors (:class:`~requestforge.api.Endpoint` and its async and paging
twins) swap it for the real function the first time the endpoint is
reached through a resource instance, so a call costs the same afterwards.
Type checkers and IDEs see the real module, so every signature still shows
through ``ParamSpec``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar, cast

__all__ = ["DeferredFunction", "LazyOperation", "resolve_deferred"]

F = TypeVar("F", bound=Callable[..., Any])


class LazyOperation:
    """Stands in for the operation module ``<package>.<name>`` until it is needed.

    Any public attribute is a :class:`DeferredFunction` naming a function of
    the module; the module is imported when one of them is first resolved.
    """

    __slots__ = ("_module", "_name", "_package")

    def __init__(self, package: str | None, name: str) -> None:
        if not package:
            raise ValueError("LazyOperation needs the package of the operation module")
        self._package = package
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> DeferredFunction:
        if attribute.startswith("__"):  # copy, pickle and friends probe dunders
            raise AttributeError(attribute)
        return DeferredFunction(self, attribute)

    def load(self) -> ModuleType:
        """The operation module, imported on the first call (the import lock serialises it)."""
        module = self._module
        if module is None:
            module = importlib.import_module(f".{self._name}", self._package)
            self._module = module
        return module

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded"
        return f"<LazyOperation {self._package}.{self._name} ({state})>"


class DeferredFunction:
    """A function of a :class:`LazyOperation`'s module, looked up on first use.

    Callable itself (it resolves, then calls), so code handed one still works;
    the endpoint descriptors resolve it once instead, keeping the hot path a
    plain function call.
    """

    __slots__ = ("_attribute", "_operation")

    def __init__(self, operation: LazyOperation, attribute: str) -> None:
        self._operation = operation
        self._attribute = attribute

    def resolve(self) -> Callable[..., Any]:
        """The module's function, importing the module if it is not yet."""
        function: Callable[..., Any] = getattr(self._operation.load(), self._attribute)
        return function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<DeferredFunction {self._attribute} of {self._operation!r}>"


def resolve_deferred(function: F) -> F:
    """``function`` itself, or the real function a :class:`DeferredFunction` stands for."""
    if isinstance(function, DeferredFunction):
        return cast(F, function.resolve())
    return function
