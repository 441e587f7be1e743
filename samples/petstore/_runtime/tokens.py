"""``TokenData``: one access token, its expiry, and how it goes on the wire and into storage.

A token is shared by every thread of a client and, through a storage, by every
process, so it is immutable: "renewing" a token means storing a new one.  Times
are timezone-aware UTC datetimes; naive datetimes are refused because a token
store shared between machines in different time zones would otherwise
disagree about whether a token has expired.

Token values never appear in ``repr``/``str``: tokens end up in logs, tracebacks
and assertion messages, and a leaked bearer token is a leaked credential.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from .errors import TokenFetchError
from .redaction import REDACTED

__all__ = [
    "DEFAULT_LEEWAY",
    "DEFAULT_LIFETIME",
    "Clock",
    "TokenData",
    "utcnow",
]

_LOGGER = logging.getLogger("requestforge.tokens")

DEFAULT_LEEWAY = 30.0
"""Seconds before ``expires_at`` from which a token counts as expired.

Renewing a little early means a token never expires between the check and
the server reading it (clock skew, queueing, slow networks)."""

DEFAULT_LIFETIME = 3600.0
"""Lifetime assumed when a token response has no usable ``expires_in``.

RFC 6749 makes ``expires_in`` only RECOMMENDED; one hour is the most common
lifetime in practice, and a token that dies earlier is renewed on its first 401."""

_MAX_LIFETIME = timedelta(days=3650)  # clamp absurd expires_in values instead of overflowing

Clock = Callable[[], datetime]
"""A function returning the current time as an aware UTC datetime (injectable in tests)."""


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


def _as_utc(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got a naive one")
    return value.astimezone(timezone.utc)


def _lifetime_seconds(raw: object) -> float | None:
    """``expires_in`` as seconds, or None when it is missing or unusable."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        value = float(raw)
    elif isinstance(raw, str):
        try:
            value = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) else None


def _normalise_type(token_type: str) -> str:
    # RFC 6750 servers often answer "bearer"; some resource servers only accept "Bearer".
    return "Bearer" if token_type.lower() == "bearer" else token_type


@dataclass(frozen=True, slots=True, repr=False)
class TokenData:
    """An access token (immutable; token values are never shown by ``repr``).

    ``expires_at`` is an aware datetime (stored in UTC) or None for a token
    that does not expire.  Build one from a token endpoint's JSON with
    :meth:`from_response`, and round-trip it through storage with
    :meth:`to_dict` / :meth:`from_dict`.
    """

    access_token: str
    token_type: str = "Bearer"  # noqa: S105 -- a scheme name, not a secret
    expires_at: datetime | None = None
    refresh_token: str | None = None
    scope: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(cast(object, self.access_token), str) or not self.access_token:
            raise ValueError("access_token must be a non-empty string")
        if self.expires_at is not None:
            object.__setattr__(self, "expires_at", _as_utc(self.expires_at, "expires_at"))

    # -- expiry ------------------------------------------------------------------

    def expires_in(self, now: datetime | None = None) -> float | None:
        """Seconds until ``expires_at`` (negative once past), or None if it never expires."""
        if self.expires_at is None:
            return None
        current = now if now is not None else utcnow()
        return (self.expires_at - current).total_seconds()

    def is_expired_within(
        self, leeway: float = DEFAULT_LEEWAY, now: datetime | None = None
    ) -> bool:
        """True if the token expires within ``leeway`` seconds of ``now`` (default: the clock)."""
        remaining = self.expires_in(now)
        return remaining is not None and remaining <= leeway

    @property
    def is_expired(self) -> bool:
        """True if the token expires within :data:`DEFAULT_LEEWAY` seconds from now."""
        return self.is_expired_within(DEFAULT_LEEWAY)

    def expired(self, now: datetime | None = None) -> TokenData:
        """A copy that is already expired but keeps its refresh token.

        This is how a token the server rejected is invalidated without losing
        the means to refresh it.
        """
        current = now if now is not None else utcnow()
        return replace(self, expires_at=current - timedelta(seconds=1))

    # -- on the wire ---------------------------------------------------------------

    @property
    def authorization_header(self) -> str:
        """The ``Authorization`` header value, e.g. ``"Bearer abc"``."""
        if not self.token_type:
            return self.access_token
        return f"{_normalise_type(self.token_type)} {self.access_token}"

    @classmethod
    def from_response(
        cls,
        data: Mapping[str, Any],
        *,
        default_lifetime: float | None = DEFAULT_LIFETIME,
        now: datetime | None = None,
    ) -> TokenData:
        """A token from an RFC 6749 section 5.1 response body.

        ``expires_in`` may be a number or a numeric string.  When it is missing
        or unusable (garbage, NaN) the token lives ``default_lifetime`` seconds
        (None: forever).  A value ``<= 0`` gives a token that is already
        expired: it is still handed to the caller who asked for it, and the
        next caller fetches again.  Raises :class:`TokenFetchError` when there
        is no access token.
        """
        if not isinstance(cast(object, data), Mapping):
            raise TokenFetchError(f"token response is a JSON {type(data).__name__}, not an object")
        access_token = data.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise TokenFetchError("token response has no access_token")
        current = now if now is not None else utcnow()
        raw_lifetime = data.get("expires_in")
        lifetime = _lifetime_seconds(raw_lifetime)
        if lifetime is None and raw_lifetime is not None:
            _LOGGER.warning(
                "token response has an unusable expires_in (%s); assuming %s seconds",
                type(raw_lifetime).__name__,
                default_lifetime,
            )
        if lifetime is None:
            lifetime = default_lifetime
        expires_at: datetime | None = None
        if lifetime is not None:
            seconds = min(max(lifetime, 0.0), _MAX_LIFETIME.total_seconds())
            expires_at = current + timedelta(seconds=seconds)
        token_type = data.get("token_type")
        refresh_token = data.get("refresh_token")
        scope = data.get("scope")
        if isinstance(scope, (list, tuple)):
            scope = " ".join(str(item) for item in cast("Sequence[object]", scope))
        return cls(
            access_token=access_token,
            token_type=_normalise_type(token_type) if isinstance(token_type, str) else "Bearer",
            expires_at=expires_at,
            refresh_token=(
                refresh_token if isinstance(refresh_token, str) and refresh_token else None
            ),
            scope=scope if isinstance(scope, str) else None,
        )

    # -- in storage ----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (ISO 8601 expiry) that :meth:`from_dict` reads back."""
        return {
            "access_token": self.access_token,
            "token_type": self.token_type,
            "expires_at": self.expires_at.isoformat() if self.expires_at is not None else None,
            "refresh_token": self.refresh_token,
            "scope": self.scope,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenData:
        """The token :meth:`to_dict` described; ``ValueError`` if ``data`` is malformed."""
        if not isinstance(cast(object, data), Mapping):
            raise ValueError(f"a stored token must be a mapping, not {type(data).__name__}")
        expires_raw = data.get("expires_at")
        expires_at: datetime | None = None
        if expires_raw is not None:
            if not isinstance(expires_raw, str):
                raise ValueError("expires_at must be an ISO 8601 string or null")
            expires_at = datetime.fromisoformat(expires_raw)
        for name in ("token_type", "refresh_token", "scope"):
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"{name} must be a string or null")
        access_token = data.get("access_token")
        if not isinstance(access_token, str):
            raise ValueError("access_token must be a string")
        token_type = data.get("token_type")
        return cls(
            access_token=access_token,
            token_type="Bearer" if token_type is None else token_type,
            expires_at=expires_at,
            refresh_token=data.get("refresh_token"),
            scope=data.get("scope"),
        )

    def __repr__(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at is not None else None
        refresh = REDACTED if self.refresh_token else None
        return (
            f"TokenData(access_token={REDACTED}, token_type={self.token_type!r}, "
            f"expires_at={expires!r}, refresh_token={refresh}, scope={self.scope!r})"
        )

    __str__ = __repr__
