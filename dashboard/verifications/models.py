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
