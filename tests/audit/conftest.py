from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from dashboard.audit import triggers
from dashboard.audit.models import SUCCESS, AuditRecord
from dashboard.audit.trail import Actor, record

ALICE = Actor(user_id=None, username="alice", client_ip="203.0.113.7", request_id="req-1")


@pytest.fixture
def append_only() -> Iterator[None]:
    """The triggers as production has them (test connections start in maintenance mode)."""
    triggers.set_maintenance(connection, False)
    yield
    triggers.set_maintenance(connection, True)


def add(
    action: str = "cancel",
    targets: tuple[str, ...] = ("s1",),
    *,
    actor: Actor = ALICE,
    outcome: str = SUCCESS,
    reason: str = "",
    message: str = "",
) -> AuditRecord:
    with transaction.atomic():
        return record(
            actor, action, targets, outcome=outcome, reason=reason, provider_message=message
        )
