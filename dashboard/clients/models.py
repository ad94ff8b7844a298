"""Our copy of B2Core's 2FA change history across clients (B2Core lists it per client only).

``sync_clients`` fills it incrementally, client by client; the feed page reads it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ClientChange(models.Model):
    """One 2FA change of one B2Core client, as B2Core sent it."""

    client_id = models.CharField(max_length=64)
    change_id = models.BigIntegerField()
    provider = models.CharField(max_length=32)  # "google", "sms", or whatever B2Core sends
    is_enabled = models.BooleanField()
    # B2Core's time; when it sent none, the time we first saw the change (time_reported=False).
    time = models.DateTimeField()
    time_reported = models.BooleanField(default=True)
    # Every other field B2Core sent (an actor, say), unknown ones included.
    extra = models.JSONField(default=dict, blank=True)
    # The same method turned the other way within CLIENT_RAPID_TOGGLE_SECONDS (either order):
    # set on both changes of the pair, by whichever sync stores the second one.
    rapid_toggle = models.BooleanField(default=False)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_id", "change_id"], name="change_once"),
        ]
        indexes = [
            # The feed pages by (time, id), newest first; each filter has an index in that order.
            models.Index(fields=["-time", "-id"], name="change_time"),
            models.Index(fields=["client_id", "-time", "-id"], name="change_client_time"),
            models.Index(fields=["provider", "-time", "-id"], name="change_provider_time"),
            models.Index(fields=["is_enabled", "-time", "-id"], name="change_state_time"),
            models.Index(
                fields=["provider", "is_enabled", "-time", "-id"], name="change_prov_state_time"
            ),
            # Rapid toggles are rare: a partial index holds only them.
            models.Index(
                fields=["-time", "-id"], name="change_rapid_time", condition=Q(rapid_toggle=True)
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.is_enabled else "off"
        return f"{self.client_id}:{self.provider} {state} @{self.time:%Y-%m-%d %H:%M}"


class ClientSyncState(models.Model):
    """Where ``sync_clients`` is with one client: the newest change seen, the last outcome."""

    class ErrorKind(models.TextChoices):
        NONE = "", "none"
        # A tag-restricted Back Office account may not read this client (403): expected.
        FORBIDDEN = "forbidden", "restricted (403)"
        FAILED = "failed", "failed"

    client_id = models.CharField(max_length=64, unique=True)
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    # The next sync asks B2Core for changes from this time on (filter[timeFrom]).
    last_change_time = models.DateTimeField(null=True, blank=True)
    last_change_id = models.BigIntegerField(null=True, blank=True)
    changes_stored = models.PositiveIntegerField(default=0)
    synced_at = models.DateTimeField(null=True, blank=True)  # last successful fetch
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    error_kind = models.CharField(
        max_length=10, choices=ErrorKind.choices, blank=True, default=ErrorKind.NONE
    )
    last_error = models.CharField(max_length=500, blank=True)
    # Single flight across processes: whoever holds an unexpired lease fetches the client.
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["error_kind", "client_id"], name="clientsync_error"),
            models.Index(fields=["last_attempt_at"], name="clientsync_attempt"),
        ]

    def __str__(self) -> str:
        return self.client_id


class ClientListSync(models.Model):
    """How ``sync_clients`` last fared with B2Core's client list: one row (pk 1).

    Per-client outcomes live on ClientSyncState; a run that cannot read the list reaches no
    client, so this row is what tells the feed that the sync is failing.
    """

    ONE = 1

    attempted_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)  # last read to its end
    last_error = models.CharField(max_length=500, blank=True)  # "" once read again

    def __str__(self) -> str:
        return self.last_error or f"read at {self.read_at}"
