"""``ApiModel``: the base class of every generated pydantic model.

One place for the settings every generated model shares, instead of a
``model_config`` line repeated in each of a big API's 800 model modules:

* ``populate_by_name``: construct with the Python field name or the wire alias;
* ``extra="ignore"``: a server that adds fields does not break old clients
  (models whose schema allows additional properties override it with ``"allow"``);
* ``protected_namespaces=()``: specs have fields called ``model_name``;
* ``defer_build``: pydantic builds a model's validator on first use, not at
  import.  Importing one endpoint of the GitHub client used to build every
  model it references (issue 8: 48 -> 33 ms for ``repos_get``); a program pays
  only for the models it actually validates.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ApiModel"]


class ApiModel(BaseModel):
    """Base of generated models (see the module docstring for its settings)."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        protected_namespaces=(),
        defer_build=True,
    )
