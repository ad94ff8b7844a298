"""Encryption of stored tokens: Fernet (AES-128-CBC + HMAC-SHA256) with a key from settings.

The key is derived from ``B2CORE_TOKEN_KEY`` when set, else from ``SECRET_KEY`` (with
``SECRET_KEY_FALLBACKS`` still able to open what an earlier key sealed). A pair that no key
opens is treated as absent: the configured credentials are used instead.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

__all__ = ["InvalidToken", "fingerprint", "open_sealed", "seal"]

_SALT = "dashboard.credentials.b2core-token-pair"


def _secrets() -> list[str]:
    if settings.B2CORE_TOKEN_KEY:
        return [settings.B2CORE_TOKEN_KEY]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _fernet() -> MultiFernet:
    keys = [
        Fernet(
            base64.urlsafe_b64encode(
                salted_hmac(_SALT, "fernet", secret=s, algorithm="sha256").digest()
            )
        )
        for s in _secrets()
    ]
    return MultiFernet(keys)


def seal(plain: bytes) -> str:
    """Encrypt ``plain`` with the current key."""
    return _fernet().encrypt(plain).decode("ascii")


def open_sealed(sealed: str) -> bytes:
    """Decrypt what ``seal`` made; raises InvalidToken when no key opens it."""
    return _fernet().decrypt(sealed.encode("ascii"))


def fingerprint(*parts: str) -> str:
    """A keyed digest of configured credentials (never reversible to them)."""
    value = "\0".join(parts)
    return salted_hmac(
        _SALT + ".origin", value, secret=_secrets()[0], algorithm="sha256"
    ).hexdigest()
