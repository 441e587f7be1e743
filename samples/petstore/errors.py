"""The errors this client raises: ``ApiError`` and its status subclasses.

Each operation module adds one subclass per error response it declares
(``api/pet/get_pet_by_id.py: GetPetByIdNotFoundError(NotFoundError)``).
"""

from ._runtime import (
    ApiError,
    BadRequestError,
    ConflictError,
    MissingCredentialsError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnauthorizedError,
    UnprocessableEntityError,
)

__all__ = [
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
]
