"""Where B2Core token pairs outlive the process: one sealed row per host.

B2Core rotates refresh tokens, so once the dashboard has refreshed, the configured pair is
spent: a restart must start from the stored pair. The stored pair is used only while the
configured credentials are the ones it descends from (``origin``); new configured
credentials win over it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, transaction

from dashboard.credentials.models import StoredTokenPair
from dashboard.credentials.sealing import InvalidToken, fingerprint, open_sealed, seal
from dashboard.providers.b2core import TokenPair

log = logging.getLogger("dashboard.credentials")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(raw: object) -> datetime | None:
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


@dataclass(frozen=True)
class TokenStore:
    """The stored pair of one B2Core host, for the credentials configured now."""

    host: str
    origin: str

    @classmethod
    def for_settings(
        cls, host: str, *, email: str, access_token: str, refresh_token: str
    ) -> TokenStore:
        """The store for these configured credentials (their fingerprint, never them)."""
        return cls(host, fingerprint(email.lower(), access_token, refresh_token))

    def load(self) -> TokenPair | None:
        """The stored pair descending from the configured credentials, if one is readable."""
        try:
            row = StoredTokenPair.objects.filter(host=self.host, origin=self.origin).first()
        except DatabaseError as exc:
            log.warning("Cannot read the stored B2Core token pair: %s", type(exc).__name__)
            return None
        if row is None:
            return None
        try:
            data = json.loads(open_sealed(row.sealed))
        except (InvalidToken, ValueError):
            log.warning(
                "The stored B2Core token pair for %s cannot be decrypted (was the key "
                "changed?); using the configured credentials.",
                self.host,
            )
            return None
        return TokenPair(
            str(data.get("access", "")),
            str(data.get("refresh", "")),
            _moment(data.get("access_expires_at")),
            _moment(data.get("refresh_expires_at")),
        )

    def save(self, pair: TokenPair) -> None:
        """Keep ``pair`` (sealed) in place of the host's previous one.

        A failed write is logged, not raised: the call that got the pair goes on with it, and
        only a restart would need it.
        """
        plain = {
            "access": pair.access,
            "refresh": pair.refresh,
            "access_expires_at": _iso(pair.access_expires_at),
            "refresh_expires_at": _iso(pair.refresh_expires_at),
        }
        try:
            with transaction.atomic():
                StoredTokenPair.objects.update_or_create(
                    host=self.host,
                    defaults={
                        "origin": self.origin,
                        "sealed": seal(json.dumps(plain).encode()),
                        "access_expires_at": pair.access_expires_at,
                        "refresh_expires_at": pair.refresh_expires_at,
                    },
                )
        except DatabaseError as exc:
            log.warning("Cannot keep the new B2Core token pair: %s", type(exc).__name__)
