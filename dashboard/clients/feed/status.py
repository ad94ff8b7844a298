"""What the feed page says about its own freshness: when sync_clients last ran, and which
clients it could not read (a 403 for a tag-restricted client apart: expected)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from dashboard.clients.models import ClientListSync, ClientSyncState

LISTED = 20  # clients named on the page; the rest are counted


@dataclass(frozen=True)
class FeedStatus:
    last_synced: dt.datetime | None
    clients: int
    failed: list[tuple[str, str]]  # (client ID, why)
    failed_count: int
    restricted: list[str]
    restricted_count: int
    # Why the last run could not read B2Core's client list (so reached no client), and when.
    list_error: str = ""
    list_attempted_at: dt.datetime | None = None


def feed_status() -> FeedStatus:
    states = ClientSyncState.objects.all()
    # The last time a client was read successfully: a run where every client failed is no
    # sync, and the failures below say so.
    last = states.aggregate(last=Max("synced_at"))["last"]
    failed = states.filter(error_kind=ClientSyncState.ErrorKind.FAILED).order_by("client_id")
    restricted = states.filter(error_kind=ClientSyncState.ErrorKind.FORBIDDEN).order_by("client_id")
    listing = ClientListSync.objects.filter(pk=ClientListSync.ONE).first()
    return FeedStatus(
        last_synced=last,
        clients=states.count(),
        failed=list(failed.values_list("client_id", "last_error")[:LISTED]),
        failed_count=failed.count(),
        restricted=list(restricted.values_list("client_id", flat=True)[:LISTED]),
        restricted_count=restricted.count(),
        list_error=listing.last_error if listing else "",
        list_attempted_at=listing.attempted_at if listing else None,
    )
