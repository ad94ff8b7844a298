"""Writing the audit trail: `record()` and who is acting (`Actor`, `actor_from`).

Callers write the record in the same transaction as the action's local effect:

    with transaction.atomic():
        session.status = "canceled"; session.save()
        record(actor_from(request), "cancel", [session_id], outcome=SUCCESS, reason=...)

so either both are stored or neither. `record()` refuses to run outside an atomic block.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from dashboard.audit.chain import GENESIS, Content, content_hash
from dashboard.audit.models import OUTCOMES, AuditRecord
from dashboard.client_address import client_ip

ACTION_CODE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Any constant: the transaction-level advisory lock that serialises appends on PostgreSQL.
_PG_LOCK_KEY = 0x617564697401  # "audit" + 1
# One line per operator action, once its record is committed (dashboard/logs.py formats it).
action_log = logging.getLogger("dashboard.actions")


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    client_ip: str = ""
    request_id: str = ""

    @classmethod
    def system(cls, name: str, request_id: str = "") -> Actor:
        """Work done by the dashboard itself (a task), named e.g. "task:bulk_cancel"."""
        return cls(user_id=None, username=name, request_id=request_id or uuid.uuid4().hex)


def request_id(request: HttpRequest) -> str:
    """One id per request (shared by all its records): AUDIT_REQUEST_ID_HEADER when set and
    well-formed, else a fresh random one."""
    cached: str | None = getattr(request, "_audit_request_id", None)
    if cached is None:
        header = settings.AUDIT_REQUEST_ID_HEADER
        given = request.META.get("HTTP_" + header.upper().replace("-", "_"), "") if header else ""
        cached = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        setattr(request, "_audit_request_id", cached)  # noqa: B010 (a per-request memo)
    return cached


def actor_from(request: HttpRequest) -> Actor:
    user: AbstractBaseUser | AnonymousUser = request.user
    return Actor(
        user_id=user.pk if user.is_authenticated else None,
        username=user.get_username() if user.is_authenticated else "",
        client_ip=client_ip(request),
        request_id=request_id(request),
    )


def _clean(text: str) -> str:
    # PostgreSQL's text and jsonb cannot hold NUL; drop it everywhere so both databases agree.
    return text.replace("\x00", "")


def record(
    actor: Actor,
    action: str,
    targets: Sequence[str] = (),
    *,
    outcome: str,
    reason: str = "",
    provider_message: str = "",
    using: str = "default",
) -> AuditRecord:
    """Append one record to the chain. Must run inside `transaction.atomic(using=using)`,
    the same block that stores the action's local effect; raises RuntimeError otherwise."""
    if not ACTION_CODE.match(action):
        raise ValueError(f"audit action {action!r} is not a short code ([a-z][a-z0-9_.]*)")
    if outcome not in OUTCOMES:
        raise ValueError(f"audit outcome {outcome!r} is not one of {OUTCOMES}")
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must run inside transaction.atomic() with its action")
    clean_targets = [_clean(str(t)) for t in targets]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # On SQLite the transaction is IMMEDIATE (settings): it holds the write lock already.
    head = AuditRecord.objects.using(using).order_by("-id").values_list("hash", flat=True).first()
    content = Content(
        created_at=timezone.now(),
        actor_username=_clean(actor.username)[:150],
        client_ip=actor.client_ip,
        action=action,
        targets=clean_targets,
        reason=_clean(reason),
        outcome=outcome,
        provider_message=_clean(provider_message),
        request_id=actor.request_id,
    )
    prev_hash = head or GENESIS
    entry = AuditRecord(
        created_at=content.created_at,
        actor_id=actor.user_id,
        actor_username=content.actor_username,
        client_ip=content.client_ip,
        action=action,
        targets=clean_targets,
        first_target=clean_targets[0][:200] if clean_targets else "",
        reason=content.reason,
        outcome=outcome,
        provider_message=content.provider_message,
        request_id=content.request_id,
        prev_hash=prev_hash,
        hash=content_hash(content, prev_hash),
    )
    entry.save(using=using, force_insert=True)
    line = {
        "action": action,
        "actor": content.actor_username or "anonymous",
        "targets": len(clean_targets),
        "outcome": outcome,
        "request_id": actor.request_id,
    }
    # Logged with the record or not at all: a rolled-back action was never done.
    transaction.on_commit(lambda: action_log.info("operator action", extra=line), using=using)
    return entry
