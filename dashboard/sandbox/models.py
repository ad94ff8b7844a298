"""The sandbox's own tables (database alias "sandbox"; see routers.py).

Sessions are the big table (up to millions of rows), so a session's events live on its own row
as a compact JSON text column (see wavix/events.py) rather than in a table of their own: the
timeline is only ever read whole, one session at a time.
"""

from __future__ import annotations

from django.db import models

# Wavix platform limits: fixed, not per service (see specs/wavix-2fa-notes.md).
CODE_LIFETIME_SECONDS = 300
MAX_CHECKS = 5
MAX_SENDS = 5


class Service(models.Model):
    service_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    code_length = models.PositiveSmallIntegerField(default=6)
    validation_enabled = models.BooleanField(default=False)
    failover_enabled = models.BooleanField(default=False)
    senderid = models.CharField(max_length=20, blank=True)
    callerid = models.CharField(max_length=20, blank=True)
    with_shared_sender = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service_id})"


class SessionStatus(models.TextChoices):
    PENDING = "pending"
    VERIFIED = "verified"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELED = "canceled"


class VerificationSession(models.Model):
    session_id = models.CharField(max_length=32, unique=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sessions")
    phone_number = models.CharField(max_length=15)  # E.164 digits, no "+"
    destination_country = models.CharField(max_length=3)  # ISO 3166-1 alpha-2 (or "ZZ")
    # Stored status; a pending session whose code has expired *reads* as expired (see
    # wavix/machine.py), so nothing has to sweep the table when the clock moves.
    status = models.CharField(max_length=10, choices=SessionStatus.choices)
    charge = models.DecimalField(max_digits=10, decimal_places=4)
    created_at = models.DateTimeField()
    code = models.CharField(max_length=10)
    code_sent_at = models.DateTimeField()
    code_expires_at = models.DateTimeField()
    checks_used = models.PositiveSmallIntegerField(default=0)
    sends_used = models.PositiveSmallIntegerField(default=0)
    events = models.TextField(default="[]")

    class Meta:
        indexes = [models.Index(fields=["service", "created_at"], name="sandbox_session_svc_time")]

    def __str__(self) -> str:
        return self.session_id


class FaultRule(models.Model):
    """A stored fault: applies to sandbox paths containing ``path_contains``."""

    kind = models.CharField(max_length=40)
    path_contains = models.CharField(max_length=200, blank=True)
    times = models.PositiveIntegerField(default=0)  # 0 = until cleared
    used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.path_contains or '*'}"


class SandboxState(models.Model):
    """One row (pk=1) of process-wide state, in the database so every process sees it."""

    clock_offset_seconds = models.FloatField(default=0.0)

    def __str__(self) -> str:
        return f"clock offset {self.clock_offset_seconds:+.0f}s"


class OutboxMessage(models.Model):
    """A code the sandbox "sent": tests read it back instead of receiving an SMS."""

    source = models.CharField(max_length=20)  # "wavix", "b2core"
    reference = models.CharField(max_length=64, db_index=True)  # a session id, a wizard uuid
    destination = models.CharField(max_length=32)
    channel = models.CharField(max_length=10)
    code = models.CharField(max_length=10)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.source}:{self.reference}"


class ReceivedCall(models.Model):
    """Every write the sandbox received (faulted or not), so tests can count provider calls."""

    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
