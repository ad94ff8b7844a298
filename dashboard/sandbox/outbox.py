"""Codes the sandbox "sent", kept so that tests (and the B2Core sandbox) can read them back."""

from __future__ import annotations

from datetime import datetime

from dashboard.sandbox.models import OutboxMessage
from dashboard.sandbox.routers import SANDBOX_DB


def record_sent_code(
    *, source: str, reference: str, destination: str, channel: str, code: str, sent_at: datetime
) -> None:
    OutboxMessage.objects.using(SANDBOX_DB).create(
        source=source,
        reference=reference,
        destination=destination,
        channel=channel,
        code=code,
        sent_at=sent_at,
    )


def latest_sent_code(reference: str) -> OutboxMessage | None:
    return (
        OutboxMessage.objects.using(SANDBOX_DB).filter(reference=reference).order_by("-id").first()
    )
