"""Walking the hash chain: the first broken link, if any."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dashboard.audit.chain import GENESIS, Content, content_hash
from dashboard.audit.models import AuditRecord

CHUNK = 5000
_FIELDS = (
    "id", "created_at", "actor_username", "client_ip", "action", "targets", "reason",
    "outcome", "provider_message", "request_id", "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class Report:
    count: int
    head: str
    broken_id: int | None = None
    problem: str = ""


def _rows(using: str) -> Iterator[tuple[Any, ...]]:
    """Every record in id order, CHUNK at a time by keyset: constant memory, no OFFSET."""
    last = 0
    while True:
        chunk = list(
            AuditRecord.objects.using(using)
            .filter(id__gt=last)
            .order_by("id")
            .values_list(*_FIELDS)[:CHUNK]
        )
        if not chunk:
            return
        yield from chunk
        last = int(chunk[-1][0])


def verify(using: str = "default") -> Report:
    expected_prev, previous_id, count = GENESIS, None, 0
    for row in _rows(using):
        record_id, created, actor, ip, action, targets, reason, outcome, message, rid, prev, own = (
            row
        )
        if prev != expected_prev:
            after = f"record #{previous_id}" if previous_id else "the start of the chain"
            return Report(
                count,
                expected_prev,
                record_id,
                f"record #{record_id} names previous hash {prev}, but {after} "
                f"ends the chain at {expected_prev}: a record before it was removed, "
                "inserted or altered",
            )
        computed = content_hash(
            Content(created, actor, ip, action, targets, reason, outcome, message, rid),
            expected_prev,
        )
        if computed != own:
            return Report(
                count,
                expected_prev,
                record_id,
                f"record #{record_id}'s content does not match its hash: stored {own}, "
                f"computed {computed}: the record was altered",
            )
        expected_prev, previous_id, count = own, record_id, count + 1
    return Report(count, expected_prev)
