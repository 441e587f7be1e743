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

Runtime introspection (IPython's ``?``, ``help()``, ``inspect.signature``) sees
the real operation too.  When a descriptor loads, it builds one small class per
operation with :func:`operation_type`: a subclass of the bound endpoint class
named after the operation (``type(client.pet.update_pet).__qualname__`` is
``"PetApi.update_pet"``), whose docstring is the operation's and whose
``__call__`` / ``with_raw_response`` / ``iterate`` are copies of the base
class's methods (the same code objects, so a call costs the same) carrying a
``__wrapped__`` of the module function they call.  :class:`BoundOperation`, a
base of every bound endpoint class, adds what the standard protocols ask of a
function -- ``__signature__`` (the function's without its ``client``
parameter), ``__wrapped__``, ``__code__`` and friends (``inspect`` then treats
it as function-like: ``iscoroutinefunction`` holds for the async ones) -- and a
``__get__``, which makes ``pydoc`` document it as a routine instead of showing
its class.  All of it is read when asked for; nothing runs per call.
"""

from __future__ import annotations

# The runtime's modules are one package: they share its underscored helpers
# (and reach each other's underscored members) on purpose.
# pyright: reportPrivateUsage=false
import importlib
import inspect
from collections.abc import Callable, Mapping
from types import CodeType, FunctionType, ModuleType
from typing import Any, Generic, TypeVar, cast

from typing_extensions import Self

__all__ = [
    "BoundOperation",
    "DeferredFunction",
    "LazyOperation",
    "bound_signature",
    "operation_type",
    "resolve_deferred",
]

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")
B = TypeVar("B", bound="BoundOperation")


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


# -- introspection of bound endpoints ---------------------------------------------


def bound_signature(function: Callable[..., Any]) -> inspect.Signature:
    """``function``'s signature without its first parameter (the client a bound endpoint holds)."""
    signature = inspect.signature(function)
    parameters = list(signature.parameters.values())
    return signature.replace(parameters=parameters[1:])


class _FromFunction(Generic[R]):
    """A read-only attribute of a bound endpoint, read from its operation function.

    Absent on the class (``AttributeError``), so ``inspect.signature`` and
    ``inspect.unwrap`` treat the endpoint *class* as the class it is.
    """

    def __init__(self, read: Callable[[Callable[..., Any]], R], doc: str) -> None:
        self._read = read
        self.__doc__ = doc
        self._name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    def __get__(self, instance: BoundOperation | None, owner: type[Any] | None = None) -> R:
        if instance is None:
            raise AttributeError(self._name)
        return self._read(instance._operation_function())

    def __set__(self, instance: BoundOperation, value: object) -> None:
        raise AttributeError(f"{self._name} is read-only")


class _OperationDoc:
    """``__doc__`` of an operation's bound class: the operation's docstring on instances.

    ``None`` on the class itself: ``pydoc`` hides an instance docstring equal to
    its class's as inherited, and IPython would print it twice.
    """

    def __get__(
        self, instance: BoundOperation | None, owner: type[Any] | None = None
    ) -> str | None:
        if instance is None:
            return None
        return instance._operation_function().__doc__


_OPERATION_DOC = _OperationDoc()


def _code(function: Callable[..., Any]) -> CodeType:
    code: CodeType = getattr(function, "__code__")  # noqa: B009 - any callable, not just functions
    return code


class BoundOperation:
    """What a bound endpoint shows to ``inspect``, ``pydoc`` and IPython: its operation.

    A base of :class:`~requestforge.api.BoundEndpoint` and its async and paging
    twins; each names the function its ``__call__`` calls in
    :meth:`_operation_function`.  Every attribute here is computed when read.
    """

    __slots__ = ()

    def _operation_function(self) -> Callable[..., Any]:
        """The (resolved) module function ``__call__`` calls with the client."""
        raise NotImplementedError

    __signature__ = _FromFunction(
        bound_signature, "The operation function's signature without its client parameter."
    )
    __wrapped__ = _FromFunction(
        lambda function: function, "The operation module's function called with the client."
    )
    __name__ = _FromFunction(lambda function: function.__name__, "The operation's name.")
    __code__ = _FromFunction(_code, "The operation function's code (inspect: function-like).")
    __defaults__ = _FromFunction(
        lambda function: getattr(function, "__defaults__", None), "As the operation function's."
    )
    __kwdefaults__ = _FromFunction(
        lambda function: getattr(function, "__kwdefaults__", None), "As the operation function's."
    )

    def __get__(self, instance: object, owner: type[Any] | None = None) -> Self:
        """Itself: like a function, it documents as a routine (``pydoc`` shows its signature)."""
        return self


def _rewrapped(
    method: Callable[..., Any],
    wrapped: Callable[..., Any],
    *,
    qualname: str,
    module: str,
    doc: str | None,
) -> Callable[..., Any]:
    """A copy of ``method`` (same code) that introspects as ``wrapped`` bound to a client.

    Its ``__wrapped__`` makes ``inspect.signature`` of the bound method the
    function's without the client; its annotations (the client's left out)
    serve ``typing.get_type_hints``, which finds the names through ``__wrapped__``.
    """
    original = cast(FunctionType, method)
    copy = FunctionType(
        original.__code__,
        original.__globals__,
        original.__name__,
        original.__defaults__,
        original.__closure__,
    )
    copy.__kwdefaults__ = original.__kwdefaults__
    copy.__qualname__ = qualname
    copy.__module__ = module
    copy.__doc__ = doc
    annotations = dict(getattr(wrapped, "__annotations__", {}))
    code = getattr(wrapped, "__code__", None)
    if isinstance(code, CodeType) and code.co_argcount:
        annotations.pop(code.co_varnames[0], None)  # the client's
    copy.__annotations__ = annotations
    copy.__wrapped__ = wrapped  # type: ignore[attr-defined]
    return copy


def operation_type(
    base: type[B],
    owner: type[Any] | None,
    name: str | None,
    methods: Mapping[str, Callable[..., Any]],
) -> type[B]:
    """The class of one operation's bound endpoints: ``base`` named after the operation.

    ``owner`` and ``name`` are where the descriptor sits (``PetApi``,
    ``"update_pet"``; the class's ``__module__`` and ``__qualname__`` follow
    them); without them the function does (or, for a generated module's
    ``sync`` / ``asyncio``, its module).  ``methods`` maps method
    names of ``base`` (``__call__``, ``with_raw_response``, ``iterate``) to the
    module functions they call; instances have ``__call__``'s docstring.
    Built once per endpoint descriptor, when it first loads.
    """
    function = methods["__call__"]
    if name is None:  # not set in a class body: the function, or its operation module, names it
        name = str(getattr(function, "__name__", "operation"))
        package, _, leaf = str(getattr(function, "__module__", "") or "").rpartition(".")
        if name in ("sync", "asyncio") and package:  # a generated operation module's function
            name = leaf
    qualname = f"{owner.__qualname__}.{name}" if owner is not None else name
    module = owner.__module__ if owner is not None else str(getattr(function, "__module__", ""))
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": module,
        "__qualname__": qualname,
        "__doc__": _OPERATION_DOC,
        "__name__": name,
    }
    for attribute, wrapped in methods.items():
        namespace[attribute] = _rewrapped(
            getattr(base, attribute),
            wrapped,
            qualname=f"{qualname}.{attribute}",
            module=module,
            # IPython prints a __call__ docstring as well as the object's: keep one
            doc=None if attribute == "__call__" else wrapped.__doc__,
        )
    return cast(type[B], type(name, (base,), namespace))
