"""Storing fetched 2FA changes: once each, flagged when they form a rapid toggle.

A rapid toggle is the same method of the same client turned the other way within
CLIENT_RAPID_TOGGLE_SECONDS (disabled then enabled again, or the reverse: an account-takeover
pattern). It is decided here, when a change is stored, and written on both changes of the
pair, so that the feed filters on an indexed column instead of pairing rows per request. A
change whose partner arrives in a later sync is flagged then.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F

from dashboard.clients.models import ClientChange, ClientListSync, ClientSyncState
from dashboard.providers.b2core import TwoFAChange

INSERT_BATCH = 1000


@dataclass(frozen=True)
class Fetched:
    """A claimed client's changes since its last seen time, fetched by a worker thread."""

    client_id: str
    changes: list[TwoFAChange]
    started: dt.datetime
    requests: int


class _Point(NamedTuple):
    """What pairing needs of a change, stored or new."""

    client_id: str
    provider: str
    time: dt.datetime
    change_id: int
    is_enabled: bool


def toggle_window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CLIENT_RAPID_TOGGLE_SECONDS)


def rapid_pairs(points: Iterable[_Point], window: dt.timedelta) -> set[tuple[str, int]]:
    """(client, change id) of every change turned the other way within ``window`` of its
    neighbour in the same method's history."""
    by_method: dict[tuple[str, str], list[_Point]] = defaultdict(list)
    for point in points:
        by_method[(point.client_id, point.provider)].append(point)
    flagged: set[tuple[str, int]] = set()
    for history in by_method.values():
        history.sort(key=lambda p: (p.time, p.change_id))
        for before, after in itertools.pairwise(history):
            if before.is_enabled != after.is_enabled and after.time - before.time <= window:
                flagged.add((before.client_id, before.change_id))
                flagged.add((after.client_id, after.change_id))
    return flagged


def _new_rows(
    fetched: Fetched, known: set[tuple[str, int]]
) -> tuple[list[ClientChange], TwoFAChange | None]:
    """Changes not stored yet (B2Core re-sends the last seen one: timeFrom is inclusive), and
    the newest change with a time, where the next sync starts."""
    rows: dict[int, ClientChange] = {}
    newest: TwoFAChange | None = None
    for change in fetched.changes:
        if change.time is not None and (
            newest is None
            or newest.time is None
            or (change.time, change.id) > (newest.time, newest.id)
        ):
            newest = change
        if (fetched.client_id, change.id) in known or change.id in rows:
            continue
        rows[change.id] = ClientChange(
            client_id=fetched.client_id,
            change_id=change.id,
            provider=change.provider[:32],
            is_enabled=change.is_enabled,
            time=change.time or fetched.started,
            time_reported=change.time is not None,
            extra=change.extra,
            synced_at=fetched.started,
        )
    return list(rows.values()), newest


def _already_stored(batch: Sequence[Fetched]) -> set[tuple[str, int]]:
    """The fetched changes we hold already, wherever their time (one sent without a time
    is stored at the time we first saw it, far from where B2Core sends it again)."""
    if not batch:
        return set()
    rows = ClientChange.objects.filter(
        client_id__in=[f.client_id for f in batch],
        change_id__in={c.id for f in batch for c in f.changes},
    ).values_list("client_id", "change_id")
    return set(rows)


def store(batch: Sequence[Fetched], owner: str) -> int:
    """Store a batch of fetched clients in one transaction and release their leases;
    return how many changes were new."""
    window = toggle_window()
    with_changes = [f for f in batch if f.changes]
    stored: dict[tuple[str, int], tuple[_Point, bool, int]] = {}
    if with_changes:
        earliest = min((c.time or f.started for f in with_changes for c in f.changes), default=None)
        assert earliest is not None
        nearby = ClientChange.objects.filter(
            client_id__in=[f.client_id for f in with_changes], time__gte=earliest - window
        ).values_list(
            "pk", "client_id", "provider", "time", "change_id", "is_enabled", "rapid_toggle"
        )
        for pk, client_id, provider, time, change_id, enabled, rapid in nearby:
            point = _Point(client_id, provider, time, change_id, enabled)
            stored[(client_id, change_id)] = (point, rapid, pk)
    known = set(stored) | _already_stored(with_changes)
    new_rows: list[ClientChange] = []
    newest: dict[str, TwoFAChange | None] = {}
    counts: dict[str, int] = {}
    for fetched in batch:
        rows, newest[fetched.client_id] = _new_rows(fetched, known)
        counts[fetched.client_id] = len(rows)
        new_rows += rows
    points = [p for p, _, _ in stored.values()]
    points += [_Point(r.client_id, r.provider, r.time, r.change_id, r.is_enabled) for r in new_rows]
    flagged = rapid_pairs(points, window)
    for row in new_rows:
        row.rapid_toggle = (row.client_id, row.change_id) in flagged
    partners = [pk for key, (_, rapid, pk) in stored.items() if key in flagged and not rapid]
    with transaction.atomic():
        ClientChange.objects.bulk_create(new_rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
        if partners:
            ClientChange.objects.filter(pk__in=partners).update(rapid_toggle=True)
        for fetched in batch:
            _mark_synced(fetched, owner, newest[fetched.client_id], counts[fetched.client_id])
    return len(new_rows)


def _mark_synced(fetched: Fetched, owner: str, newest: TwoFAChange | None, count: int) -> None:
    changes: dict[str, object] = {
        "synced_at": fetched.started,
        "last_attempt_at": fetched.started,
        "error_kind": ClientSyncState.ErrorKind.NONE,
        "last_error": "",
        "lease_owner": "",
        "lease_until": None,
        "changes_stored": F("changes_stored") + count,
    }
    if newest is not None:
        changes.update(last_change_time=newest.time, last_change_id=newest.id)
    ClientSyncState.objects.filter(client_id=fetched.client_id, lease_owner=owner).update(**changes)


def remember_list(attempted_at: dt.datetime, error: str) -> None:
    """Note how a run fared with the client list: the feed says when it could not be read."""
    values: dict[str, object] = {"attempted_at": attempted_at, "last_error": error[:500]}
    if not error:
        values["read_at"] = attempted_at
    ClientListSync.objects.update_or_create(pk=ClientListSync.ONE, defaults=values)
