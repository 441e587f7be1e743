"""The conformance harness: generated clients judged by an independent mock server.

``python -m forgegen.conformance SPEC [SPEC ...] [--json OUT] [--port N]``
generates the client for each spec, starts the Prism mock server
(``npm ci --prefix tests/conformance`` installs it) in dynamic mode on a
loopback port, calls every operation through the generated client with
arguments synthesised from the schemas, and reports per operation whether
Prism accepted the request and the response parsed.

Modules: ``prism`` (the server), ``synthesis`` (argument values), ``runner``
(generate, call, classify), ``report`` (tables and JSON).
"""

from .prism import PrismError, find_prism
from .report import format_report, to_json, write_json
from .runner import OperationResult, SpecResult, classify_prism, run_spec
from .synthesis import Synthesizer, convert, pattern_example

__all__ = [
    "OperationResult",
    "PrismError",
    "SpecResult",
    "Synthesizer",
    "classify_prism",
    "convert",
    "find_prism",
    "format_report",
    "pattern_example",
    "run_spec",
    "to_json",
    "write_json",
]
