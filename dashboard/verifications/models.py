from __future__ import annotations

from django.conf import settings
from django.db import models


class Service(models.Model):
    """A Wavix 2FA service the dashboard watches."""

    class Source(models.TextChoices):
        PROVIDER = "provider", "listed by the provider"
        SETTINGS = "settings", "WAVIX_SERVICE_IDS"
        OPERATOR = "operator", "registered by an operator"

    service_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Stopped watching: not synced or listed; the row stays so that kept sessions keep
    # their service and the provider's list does not bring it back.
    unwatched_at = models.DateTimeField(null=True, blank=True)
    unwatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Wavix refused this service itself (unknown, not ours, forbidden): page syncs skip it
    # until it is checked again, and the Services page says so once.
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "service_id"]

    def __str__(self) -> str:
        return self.name or self.service_id

    @property
    def display_name(self) -> str:
        return self.name or f"Service {self.service_id[:8]}…"

    @property
    def syncable(self) -> bool:
        return self.unwatched_at is None and self.rejected_at is None


class MirroredSession(models.Model):
    """Our indexed copy of one Wavix verification session (Wavix has no search)."""

    session_id = models.CharField(max_length=32, primary_key=True)
    # No index of its own: session_service_created starts with it.
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    created_at = models.DateTimeField()
    # E.164 digits without "+", as Wavix sends them; last4 is its own column so that a
    # "last four digits" search is an index lookup, not a LIKE '%1234' scan.
    phone_number = models.CharField(max_length=20)
    phone_last4 = models.CharField(max_length=4)
    country = models.CharField(max_length=2, blank=True)
    # Kept raw: an unknown status from the provider is shown as sent.
    status = models.CharField(max_length=32)
    charge = models.DecimalField(max_digits=12, decimal_places=4)
    synced_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-session_id"], name="session_created"),
            models.Index(fields=["service", "-created_at"], name="session_service_created"),
            models.Index(fields=["status", "-created_at"], name="session_status_created"),
            models.Index(fields=["country", "-created_at"], name="session_country_created"),
            # Status and country together (the usual "what failed where" question): the page
            # and its capped count read only matching entries, already in page order.
            models.Index(
                fields=["status", "country", "-created_at", "-session_id"],
                name="session_status_country",
            ),
            models.Index(fields=["phone_number", "-created_at"], name="session_phone"),
            models.Index(fields=["phone_last4", "-created_at"], name="session_last4"),
        ]

    def __str__(self) -> str:
        return self.session_id


class DailyRollup(models.Model):
    """Sessions of one service on one UTC day with one status and country: count and spend.

    Period figures read these, so their cost grows with days, not sessions. Kept exact by
    every writer of sessions (rollups.py), in the same transaction as the sessions.
    """

    # No index of its own: the unique key starts with it.
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    status = models.CharField(max_length=32)
    country = models.CharField(max_length=2, blank=True)
    sessions = models.PositiveIntegerField()
    spend = models.DecimalField(max_digits=18, decimal_places=4)
    # The newest session of the row: "last activity" without reading sessions.
    last_created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "day", "status", "country"], name="rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.status} {self.country}"


class DailyTotal(models.Model):
    """DailyRollup summed over countries: one service, one UTC day, one status.

    What the Services page reads: a year of it is a few rows a service and day, where the
    per-country rows are as many again for every country seen.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    status = models.CharField(max_length=32)
    sessions = models.PositiveIntegerField()
    spend = models.DecimalField(max_digits=18, decimal_places=4)
    last_created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "day", "status"], name="daily_total_key")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day} {self.status}"


class SyncWindow(models.Model):
    """One service × one UTC day of sessions, fetched as a unit from Wavix."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="windows")
    day = models.DateField()
    fetched_at = models.DateTimeField(null=True, blank=True)
    # A past day fetched after all its sessions became final: never fetched again unless
    # an operator asks.
    settled = models.BooleanField(default=False)
    session_count = models.PositiveIntegerField(default=0)
    # Single flight across processes: whoever holds an unexpired lease fetches.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "day"], name="window_service_day"),
        ]
        indexes = [models.Index(fields=["day"], name="window_day")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.day}"


class SessionTimeline(models.Model):
    """When a session's events were last fetched; ``final`` once the session had ended."""

    session = models.OneToOneField(
        MirroredSession, primary_key=True, on_delete=models.CASCADE, related_name="timeline"
    )
    fetched_at = models.DateTimeField()
    # Fetched while the session was terminal: its events can no longer change.
    final = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"timeline of {self.session_id}"


class SessionEvent(models.Model):
    """One step of a session's timeline, as Wavix's events endpoint gave it."""

    session = models.ForeignKey(MirroredSession, on_delete=models.CASCADE, related_name="events")
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    # Wavix's own wording ("Code sent via SMS"); unknown kinds are shown as sent.
    event = models.CharField(max_length=200)
    status = models.CharField(max_length=32)
    charge = models.DecimalField(max_digits=12, decimal_places=4)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="event_session_position")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position} {self.event}"


class ActionRequest(models.Model):
    """One submitted action form, by its one-time key: a second submit makes no second call."""

    class State(models.TextChoices):
        STARTED = "started", "in progress"
        SUCCESS = "success", "done"
        FAILED = "failed", "failed"
        UNKNOWN = "unknown", "outcome unknown"

    key = models.CharField(max_length=32, unique=True)
    action = models.CharField(max_length=40)
    # What the action is about: a session ID, a service, "client:method"…
    target = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.STARTED)
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action} {self.target} ({self.state})"


class BulkCancel(models.Model):
    """A cancel of many sessions, run as a task; each item is stored before its call."""

    class State(models.TextChoices):
        DRAFT = "draft", "previewed"
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        DONE = "done", "done"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by_username = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the operator selected, in words ("12 selected rows", or the filter's query).
    selection = models.CharField(max_length=1000, blank=True)
    reason = models.CharField(max_length=400, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running worker's heartbeat: a run whose heartbeat is old is resumed elsewhere.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    runner = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    client_ip = models.CharField(max_length=45, blank=True)

    def __str__(self) -> str:
        return f"bulk cancel #{self.pk} ({self.state})"


class BulkCancelItem(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "queued"
        # Stored before the call: a run that dies here is reconciled by reading back.
        SENDING = "sending", "sending"
        CANCELED = "canceled", "canceled"
        FINAL = "final", "already final"
        FAILED = "failed", "failed"
        UNKNOWN = "unknown", "unknown"

    bulk = models.ForeignKey(BulkCancel, on_delete=models.CASCADE, related_name="items")
    session = models.ForeignKey(MirroredSession, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    # The session's status when the bulk was previewed, and its charge (spend shown).
    status_before = models.CharField(max_length=32)
    charge = models.DecimalField(max_digits=12, decimal_places=4)
    message = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bulk", "session"], name="bulk_item_session")
        ]
        indexes = [models.Index(fields=["bulk", "state", "id"], name="bulk_item_state")]

    def __str__(self) -> str:
        return f"{self.bulk_id}/{self.session_id} ({self.state})"
