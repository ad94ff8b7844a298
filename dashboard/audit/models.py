"""The operator action log: one row per action and per attempt, append-only, hash-chained."""

from __future__ import annotations

from django.conf import settings
from django.db import models

SUCCESS = "success"
FAILED = "failed"
UNKNOWN = "unknown"
OUTCOMES = (SUCCESS, FAILED, UNKNOWN)


class AuditRecord(models.Model):
    """Never updated or deleted: triggers installed by migration 0002 refuse both.

    The one exception is Django's SET_NULL on `actor` when a user is deleted: the chain
    covers `actor_username`, not `actor_id`, so the history stays whole and verifiable.
    """

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField()  # UTC, taken under the append lock
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # filters use actor_username; the FK index would only slow appends
    )
    actor_username = models.CharField(max_length=150, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=40)
    targets = models.JSONField(default=list)
    first_target = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=[(o, o) for o in OUTCOMES])
    provider_message = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    # SHA-256 hex of the previous record's `hash` (64 zeros for the first record) and of
    # this record's canonical content with it; see dashboard/audit/chain.py.
    # Unique: two writers can never both chain to the same predecessor, whatever the lock.
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # Newest first by keyset, alone or behind one equality filter. The trailing
            # columns let a second filter (and the page's capped count) be answered from the
            # index alone, without a table lookup a row.
            models.Index(fields=["created_at", "id"], name="audit_time"),
            models.Index(
                fields=["actor_username", "created_at", "id", "action", "outcome"],
                name="audit_actor_time",
            ),
            models.Index(
                fields=["action", "created_at", "id", "outcome"], name="audit_action_time"
            ),
            models.Index(fields=["outcome", "created_at", "id"], name="audit_outcome_time"),
            models.Index(fields=["first_target", "created_at", "id"], name="audit_target_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} by {self.actor_username or '-'} ({self.outcome})"
