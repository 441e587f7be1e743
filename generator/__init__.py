"""forgegen: generates typed Python clients from OpenAPI documents.

A one-way pipeline: load -> resolve -> parse -> lower -> render -> format ->
write (``generate``), with every problem reported as a :class:`SpecError` or a
warning that names its file, line and JSON pointer.
"""

__version__ = "0.1.0"  # before the imports: render stamps it into .forgegen.json

from .diagnostics import Diagnostic, Diagnostics, SpecError
from .pipeline import GenerationResult, UsageError, generate

__all__ = [
    "Diagnostic",
    "Diagnostics",
    "GenerationResult",
    "SpecError",
    "UsageError",
    "__version__",
    "generate",
]
