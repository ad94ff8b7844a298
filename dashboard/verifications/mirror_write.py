"""Writing provider sessions into the mirror, fast: one upsert per batch, no per-row ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from dashboard.providers.wavix import Session
from dashboard.verifications.models import MirroredSession, Service

UPSERT_BATCH = 2000
# Everything but the key may change upstream (status above all: pending → verified).
UPDATED_FIELDS = [
    "service",
    "created_at",
    "phone_number",
    "phone_last4",
    "country",
    "status",
    "charge",
    "synced_at",
]


def upsert_sessions(
    service: Service, sessions: Sequence[Session], *, synced_at: dt.datetime
) -> int:
    """Insert or update these sessions of one service; return how many there were."""
    rows = [
        MirroredSession(
            session_id=s.session_id,
            service=service,
            created_at=s.created_at,
            phone_number=s.phone_number,
            phone_last4=s.phone_number[-4:],
            country=(s.destination_country or "").upper()[:2],
            status=s.status[:32],
            charge=s.charge,
            synced_at=synced_at,
        )
        for s in sessions
    ]
    MirroredSession.objects.bulk_create(
        rows,
        batch_size=UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=["session_id"],
        update_fields=UPDATED_FIELDS,
    )
    return len(rows)
