"""What can go wrong when the dashboard talks to a provider, as exceptions views can show.

Every error carries a sentence a support agent can read (``message``), the provider's short
name and the HTTP status when there was one. Messages never contain credentials, request
headers or request bodies: they are built from the provider's answer and our own words only.
"""

from __future__ import annotations

__all__ = [
    "BadResponse",
    "Forbidden",
    "NotFound",
    "ProviderError",
    "RateLimited",
    "Rejected",
    "TwoFactorRequired",
    "Unauthorized",
    "Unavailable",
    "display_name",
]

_DISPLAY_NAMES = {"wavix": "Wavix", "b2core": "B2Core"}


def display_name(provider: str) -> str:
    """Return the name people know a provider by ("wavix" → "Wavix")."""
    return _DISPLAY_NAMES.get(provider, provider)


class ProviderError(Exception):
    """A call to a provider failed; ``message`` says why in one sentence.

    ``detail`` is the provider's own explanation, scrubbed, when it gave one.
    """

    def __init__(
        self, provider: str, message: str, *, status: int | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.message = message
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(provider={self.provider!r}, status={self.status!r}, "
            f"message={self.message!r})"
        )


class Unauthorized(ProviderError):
    """The provider did not accept our credentials (401, or a failed sign-in)."""


class TwoFactorRequired(Unauthorized):
    """The service account's sign-in wants a second factor, which no unattended service has.

    B2Core requires 2FA for every Back Office user and documents no admin 2FA step: the
    way in is a token pair obtained elsewhere (an access token and a refresh token).
    """


class Forbidden(ProviderError):
    """The credentials are valid but not allowed to do this (403)."""


class NotFound(ProviderError):
    """The provider has no such record (404)."""


class RateLimited(ProviderError):
    """The provider asked us to slow down (429); ``retry_after`` is in seconds when known."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after


class Unavailable(ProviderError):
    """The provider could not be reached in time or failed on its side (5xx).

    ``retryable`` is False when the call's overall deadline is already spent;
    ``retry_after`` carries a 503's Retry-After hint in seconds.
    """

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.retryable = retryable
        self.retry_after = retry_after


class BadResponse(ProviderError):
    """The provider answered, but with a body we cannot read (HTML, bad JSON, wrong shape)."""


class Rejected(ProviderError):
    """The provider refused the request as invalid (a 4xx other than 401/403/404/429)."""
