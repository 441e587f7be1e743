"""The models of Swagger Petstore - OpenAPI 3.0, imported on first use (PEP 562).

``from .models import Pet`` imports only the module that defines ``Pet``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api_response_model import ApiResponseModel as ApiResponseModel
    from .category import Category as Category
    from .find_pets_by_status_status import FindPetsByStatusStatus as FindPetsByStatusStatus
    from .order import Order as Order
    from .order_status import OrderStatus as OrderStatus
    from .pet import Pet as Pet
    from .pet_status import PetStatus as PetStatus
    from .tag import Tag as Tag
    from .user import User as User

__all__ = [
    "ApiResponseModel",
    "Category",
    "FindPetsByStatusStatus",
    "Order",
    "OrderStatus",
    "Pet",
    "PetStatus",
    "Tag",
    "User",
]

_MODULES: dict[str, str] = {
    "ApiResponseModel": ".api_response_model",
    "Category": ".category",
    "FindPetsByStatusStatus": ".find_pets_by_status_status",
    "Order": ".order",
    "OrderStatus": ".order_status",
    "Pet": ".pet",
    "PetStatus": ".pet_status",
    "Tag": ".tag",
    "User": ".user",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
