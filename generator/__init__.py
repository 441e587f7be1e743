"""forgegen: generates typed Python clients from OpenAPI documents.

The generator pipeline (load, resolve, parse, lower, render, format, write)
arrives with the Generator issue; until then the package holds its version.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
