"""Keep the mirror of Wavix sessions fresh, one (service, UTC day) window at a time.

Wavix lists a service's sessions for a date range and nothing else, so every search runs on
our copy. A window is fetched when it is missing or stale, upserted in one transaction and
marked fresh in that same transaction; a failed fetch keeps the old rows and records why.
One fetch per window at a time across processes, through a lease row in the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from dashboard.providers.errors import (
    Forbidden,
    ProviderError,
    RateLimited,
    Unauthorized,
    Unavailable,
)
from dashboard.providers.wavix import CODE_LIFETIME, WavixClient
from dashboard.verifications.mirror_write import upsert_sessions
from dashboard.verifications.models import Service, SyncWindow

log = logging.getLogger(__name__)

PROVIDER_WIDE_ERRORS = (Unavailable, Unauthorized, Forbidden, RateLimited)

# A day is final once every session in it could no longer change (a code lives 5 minutes);
# the margin covers clock skew and late provider writes.
SETTLE_AFTER = CODE_LIFETIME + dt.timedelta(minutes=10)


@dataclass(frozen=True)
class WindowOutcome:
    service_id: str
    day: dt.date
    fetched: bool
    sessions: int = 0
    error: str = ""
    waited_for_other: bool = False
    # Not attempted: out of time, or the provider was already seen to be down.
    skipped: bool = False
    # The failure says nothing about this window in particular: the provider is down,
    # refuses our key or rate-limits us.
    provider_down: bool = False


@dataclass
class SyncReport:
    outcomes: list[WindowOutcome] = field(default_factory=list)

    @property
    def fetched(self) -> int:
        return sum(1 for o in self.outcomes if o.fetched)

    @property
    def sessions(self) -> int:
        return sum(o.sessions for o in self.outcomes)

    @property
    def errors(self) -> list[WindowOutcome]:
        return [o for o in self.outcomes if o.error]

    @property
    def skipped(self) -> int:
        return sum(1 for o in self.outcomes if o.skipped)


def freshness() -> dt.timedelta:
    return dt.timedelta(seconds=settings.MIRROR_FRESHNESS_SECONDS)


def lease_length() -> dt.timedelta:
    # Longer than one provider call may take, so a live holder never loses its lease.
    return dt.timedelta(seconds=settings.PROVIDER_DEADLINE + 30)


def days_between(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    return [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def is_settled(day: dt.date, fetched_at: dt.datetime) -> bool:
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return fetched_at >= end_of_day + SETTLE_AFTER


def is_fresh(window: SyncWindow | None, now: dt.datetime) -> bool:
    if window is None or window.fetched_at is None:
        return False
    return window.settled or now - window.fetched_at < freshness()


def plan(
    services: Sequence[Service], days: Sequence[dt.date], now: dt.datetime
) -> list[tuple[Service, dt.date]]:
    """The windows of this range that are missing or stale."""
    known = {
        (w.service_id, w.day): w
        for w in SyncWindow.objects.filter(service__in=services, day__in=days)
    }
    return [
        (service, day)
        for service in services
        for day in days
        if not is_fresh(known.get((service.pk, day)), now)
    ]


def _window(service: Service, day: dt.date) -> SyncWindow:
    try:
        return SyncWindow.objects.get_or_create(service=service, day=day)[0]
    except IntegrityError:  # another process made it between our get and create
        return SyncWindow.objects.get(service=service, day=day)


def _take_lease(window: SyncWindow, owner: str, now: dt.datetime) -> bool:
    taken = (
        SyncWindow.objects.filter(pk=window.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_owner=owner, lease_until=now + lease_length())
    )
    return taken == 1


def _release(window: SyncWindow, owner: str, **changes: object) -> None:
    SyncWindow.objects.filter(pk=window.pk, lease_owner=owner).update(
        lease_owner="", lease_until=None, **changes
    )


def _wait_for_other(window: SyncWindow, deadline: float) -> SyncWindow:
    """Someone else is fetching this window: wait for them, up to the deadline."""
    while time.monotonic() < deadline:
        time.sleep(0.05)
        window.refresh_from_db()
        if window.lease_until is None or window.lease_until < timezone.now():
            break
    return window


def sync_window(
    client: WavixClient,
    service: Service,
    day: dt.date,
    *,
    wait_seconds: float = 0.0,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> WindowOutcome:
    """Fetch one window unless another process holds it; return what happened."""
    owner = uuid.uuid4().hex
    window = _window(service, day)
    started = clock()
    if not _take_lease(window, owner, started):
        window = _wait_for_other(window, time.monotonic() + wait_seconds)
        return WindowOutcome(
            service.service_id, day, fetched=False, error=window.last_error, waited_for_other=True
        )
    try:
        sessions = client.list_sessions(service.service_id, day, day)
    except ProviderError as exc:
        log.warning("sync %s %s failed: %s", service.service_id, day, exc)
        _release(window, owner, last_attempt_at=started, last_error=str(exc)[:500])
        return WindowOutcome(
            service.service_id,
            day,
            fetched=False,
            error=str(exc),
            provider_down=isinstance(exc, PROVIDER_WIDE_ERRORS),
        )
    with transaction.atomic():
        count = upsert_sessions(service, sessions, synced_at=started)
        _release(
            window,
            owner,
            fetched_at=started,
            last_attempt_at=started,
            settled=is_settled(day, started),
            session_count=count,
            last_error="",
        )
    if sessions and not service.name:
        Service.objects.filter(pk=service.pk, name="").update(name=sessions[0].service_name)
    return WindowOutcome(service.service_id, day, fetched=True, sessions=count)


def _in_worker(fn: Callable[[], WindowOutcome]) -> WindowOutcome:
    try:
        return fn()
    finally:
        # Worker threads open their own DB connections; close them before the thread idles.
        connections.close_all()


# Page views share one long-lived pool: a fetch a page stopped waiting for finishes in the
# background, and the next page view finds the window fresh.
_shared_pool: ThreadPoolExecutor | None = None
_shared_pool_lock = threading.Lock()


def _page_pool() -> ThreadPoolExecutor:
    global _shared_pool
    with _shared_pool_lock:
        if _shared_pool is None:
            _shared_pool = ThreadPoolExecutor(
                max_workers=settings.MIRROR_SYNC_WORKERS, thread_name_prefix="mirror-sync"
            )
        return _shared_pool


def sync_range(
    client: WavixClient,
    services: Iterable[Service],
    date_from: dt.date,
    date_to: dt.date,
    *,
    force: bool = False,
    wait_seconds: float = 0.0,
    max_workers: int | None = None,
    budget_seconds: float | None = None,
) -> SyncReport:
    """Make the windows of a range fresh: the missing or stale ones, concurrently (bounded).

    With a budget (page views), windows not done in time are reported as skipped and keep
    being fetched in the background. After a provider-wide failure (down, refusing our key,
    rate limiting) the remaining windows are skipped rather than hammering it.
    """
    services = list(services)
    days = days_between(date_from, date_to)
    todo = (
        [(s, d) for s in services for d in days] if force else plan(services, days, timezone.now())
    )
    report = SyncReport()
    if not todo:
        return report
    provider_down = threading.Event()

    def one(service: Service, day: dt.date) -> WindowOutcome:
        if provider_down.is_set():
            return WindowOutcome(service.service_id, day, fetched=False, skipped=True)
        outcome = sync_window(client, service, day, wait_seconds=wait_seconds)
        if outcome.provider_down:
            provider_down.set()
        return outcome

    workers = max(1, min(max_workers or settings.MIRROR_SYNC_WORKERS, len(todo)))
    if workers == 1:
        # Inline, on the caller's connection (and inside its transaction, in tests).
        deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        for service, day in todo:
            if deadline is not None and time.monotonic() > deadline:
                provider_down.set()  # out of time: the rest are skipped, not fetched
            report.outcomes.append(one(service, day))
        return report
    if budget_seconds is None:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_in_worker, partial(one, s, d)) for s, d in todo]
            report.outcomes = [f.result() for f in futures]
        return report
    futures = [_page_pool().submit(_in_worker, partial(one, s, d)) for s, d in todo]
    wait(futures, timeout=budget_seconds)
    for future, (service, day) in zip(futures, todo, strict=True):
        report.outcomes.append(
            future.result()
            if future.done()
            else WindowOutcome(service.service_id, day, fetched=False, skipped=True)
        )
    return report
