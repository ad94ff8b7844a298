"""Keep the mirror of Wavix sessions fresh, one (service, UTC day) window at a time.

Wavix lists a service's sessions for a date range and nothing else, so every search runs on
our copy. A window is fetched when it is missing or stale, upserted in one transaction and
marked fresh in that same transaction; a failed fetch keeps the old rows and records why.
One fetch per window at a time across processes, through a lease row in the database;
whoever finds a window leased leaves it to its holder (pages: see page_sync.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
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
from dashboard.verifications.mirror_write import PreparedRows, prepare, write
from dashboard.verifications.models import Service, SyncWindow
from dashboard.verifications.service_catalog import (
    SERVICE_REJECTIONS,
    clear_rejected,
    mark_rejected,
)

log = logging.getLogger(__name__)

# A bulk sync stores fetched windows in groups of about this many sessions, one transaction
# each: every commit rewrites the index pages it touched, and the phone and ID indexes are
# touched everywhere, so a few large commits cost far less than many small ones.
GROUP_SESSIONS = 40_000

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
    # Someone else holds the window's lease: they fetch it, we do not wait for them.
    fetched_elsewhere: bool = False
    # Not attempted: out of time, or the provider was already seen to be down.
    skipped: bool = False
    # The failure says nothing about this window in particular: the provider is down,
    # refuses our key or rate-limits us.
    provider_down: bool = False
    # Wavix refused the service itself: marked on the service, shown once on the Services
    # page, not as a window error on every page.
    service_rejected: bool = False


@dataclass
class SyncReport:
    outcomes: list[WindowOutcome] = field(default_factory=list)
    # The windows as read before fetching, for freshness() to reuse: at a year of days the
    # read is a large share of the page, and a window fresh then is fresh a moment later.
    known: dict[tuple[int, dt.date], WindowState] | None = None

    @property
    def fetched(self) -> int:
        return sum(1 for o in self.outcomes if o.fetched)

    @property
    def sessions(self) -> int:
        return sum(o.sessions for o in self.outcomes)

    @property
    def errors(self) -> list[WindowOutcome]:
        return [o for o in self.outcomes if o.error and not o.service_rejected]

    @property
    def rejected(self) -> list[WindowOutcome]:
        return [o for o in self.outcomes if o.service_rejected]

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


class WindowState(NamedTuple):
    """What freshness needs of a window, read without building model instances."""

    fetched_at: dt.datetime | None
    settled: bool
    last_error: str
    lease_until: dt.datetime | None = None


def window_states(
    services: Sequence[Service], days: Sequence[dt.date]
) -> dict[tuple[int, dt.date], WindowState]:
    """The known windows of these services and days, keyed by (service pk, day)."""
    rows = SyncWindow.objects.filter(service__in=services, day__in=days).values_list(
        "service_id", "day", "fetched_at", "settled", "last_error", "lease_until"
    )
    return {
        (service_pk, day): WindowState(fetched_at, settled, last_error, lease_until)
        for service_pk, day, fetched_at, settled, last_error, lease_until in rows
    }


def is_fresh(window: WindowState | SyncWindow | None, now: dt.datetime) -> bool:
    if window is None or window.fetched_at is None:
        return False
    return window.settled or now - window.fetched_at < freshness()


def is_leased(window: WindowState | None, now: dt.datetime) -> bool:
    """Someone is fetching the window now (an expired lease is a holder that died)."""
    return window is not None and window.lease_until is not None and window.lease_until >= now


def plan(
    services: Sequence[Service], days: Sequence[dt.date], now: dt.datetime
) -> list[tuple[Service, dt.date]]:
    """The windows of this range that are missing or stale, newest day first."""
    known = window_states(services, days)
    return [
        (service, day)
        for service, day in newest_first(services, days)
        if not is_fresh(known.get((service.pk, day)), now)
    ]


def newest_first(
    services: Sequence[Service], days: Sequence[dt.date]
) -> list[tuple[Service, dt.date]]:
    # A long sync makes the days operators look at (today, yesterday) fresh first.
    return [(service, day) for day in sorted(days, reverse=True) for service in services]


# SQLite has one writer at a time: threads of one process take turns here, handing over at
# once, rather than in SQLite's busy handler, which sleeps in steps of up to 100 ms.
_sqlite_writer = threading.RLock()


@contextlib.contextmanager
def _write_turn() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with _sqlite_writer:
        yield


def _window(service: Service, day: dt.date) -> SyncWindow:
    try:
        with _write_turn():
            return SyncWindow.objects.get_or_create(service=service, day=day)[0]
    except IntegrityError:  # another process made it between our get and create
        return SyncWindow.objects.get(service=service, day=day)


def _take_lease(window: SyncWindow, owner: str, now: dt.datetime) -> bool:
    with _write_turn():
        taken = (
            SyncWindow.objects.filter(pk=window.pk)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_owner=owner, lease_until=now + lease_length())
        )
    return taken == 1


def _release(window: SyncWindow, owner: str, **changes: object) -> None:
    with _write_turn():
        SyncWindow.objects.filter(pk=window.pk, lease_owner=owner).update(
            lease_owner="", lease_until=None, **changes
        )


@dataclass(frozen=True)
class _Claim:
    """A window we hold the lease of, about to be fetched."""

    service: Service
    day: dt.date
    window: SyncWindow
    owner: str
    started: dt.datetime


@dataclass(frozen=True)
class _Fetched:
    """A claimed window's sessions, ready to store."""

    claim: _Claim
    rows: PreparedRows
    service_name: str


@dataclass(frozen=True)
class _Failed:
    claim: _Claim
    error: ProviderError


def _claim(
    service: Service, day: dt.date, *, clock: Callable[[], dt.datetime]
) -> _Claim | WindowOutcome:
    """Take the window's lease, or leave the window to whoever holds it."""
    owner = uuid.uuid4().hex
    window = _window(service, day)
    started = clock()
    if _take_lease(window, owner, started):
        return _Claim(service, day, window, owner, started)
    return WindowOutcome(
        service.service_id, day, fetched=False, error=window.last_error, fetched_elsewhere=True
    )


def _download(client: WavixClient, claim: _Claim) -> _Fetched | _Failed:
    """Fetch and prepare a claimed window; no database access, so any thread may run it."""
    try:
        sessions = client.list_sessions(claim.service.service_id, claim.day, claim.day)
    except ProviderError as exc:
        return _Failed(claim, exc)
    rows = prepare(claim.service, sessions, synced_at=claim.started)
    name = next((s.service_name for s in sessions if s.service_name), "")
    return _Fetched(claim, rows, name)


def _give_up(failed: _Failed) -> WindowOutcome:
    """Release a window whose fetch failed: old rows and fetch time kept, the error noted."""
    claim, exc = failed.claim, failed.error
    log.warning("sync %s %s failed: %s", claim.service.service_id, claim.day, exc)
    _release(claim.window, claim.owner, last_attempt_at=claim.started, last_error=str(exc)[:500])
    rejected = isinstance(exc, SERVICE_REJECTIONS)
    if rejected:
        with _write_turn():
            mark_rejected(claim.service, str(exc))
    return WindowOutcome(
        claim.service.service_id,
        claim.day,
        fetched=False,
        error=str(exc),
        provider_down=isinstance(exc, PROVIDER_WIDE_ERRORS),
        service_rejected=rejected,
    )


def _store(group: Sequence[_Fetched]) -> list[WindowOutcome]:
    """Upsert fetched windows in one transaction; each is marked fresh in it, with its rows."""
    with _write_turn(), transaction.atomic():
        for fetched in group:
            claim = fetched.claim
            write(fetched.rows)
            _release(
                claim.window,
                claim.owner,
                fetched_at=claim.started,
                last_attempt_at=claim.started,
                settled=is_settled(claim.day, claim.started),
                session_count=fetched.rows.count,
                last_error="",
            )
        clear_rejected(sorted({f.claim.service.pk for f in group}))
    for fetched in group:
        service = fetched.claim.service
        if fetched.service_name and not service.name:
            Service.objects.filter(pk=service.pk, name="").update(name=fetched.service_name)
    return [
        WindowOutcome(f.claim.service.service_id, f.claim.day, fetched=True, sessions=f.rows.count)
        for f in group
    ]


def sync_window(
    client: WavixClient,
    service: Service,
    day: dt.date,
    *,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> WindowOutcome:
    """Fetch one window unless another process holds it; return what happened."""
    claim = _claim(service, day, clock=clock)
    if isinstance(claim, WindowOutcome):
        return claim
    result = _download(client, claim)
    if isinstance(result, _Failed):
        return _give_up(result)
    return _store([result])[0]


def rejected_outcome(service: Service, day: dt.date) -> WindowOutcome:
    # mark_rejected set rejected_at on this very object when one of its windows was refused:
    # its other windows are not asked for, and not reported as "still being fetched".
    return WindowOutcome(
        service.service_id,
        day,
        fetched=False,
        error=service.rejected_message,
        service_rejected=True,
    )


def sync_range(
    client: WavixClient,
    services: Iterable[Service],
    date_from: dt.date,
    date_to: dt.date,
    *,
    force: bool = False,
    max_workers: int | None = None,
) -> SyncReport:
    """Make the windows of a range fresh: the missing or stale ones, concurrently (bounded).

    The bulk path (`manage.py sync`, tasks); pages use page_sync.refresh_for_page. Windows
    another process is fetching are left to it. After a provider-wide failure (down, refusing
    our key, rate limiting) the remaining windows are skipped rather than hammering it.
    """
    # Unwatched and rejected services are not fetched (a rejected one until it is checked
    # again: recheck_rejected in the background sync, or an operator on the Services page).
    services = [s for s in services if s.syncable]
    days = days_between(date_from, date_to)
    todo = newest_first(services, days) if force else plan(services, days, timezone.now())
    report = SyncReport()
    if not todo:
        return report
    provider_down = threading.Event()

    def one(service: Service, day: dt.date) -> WindowOutcome:
        if service.rejected_at is not None:
            return rejected_outcome(service, day)
        if provider_down.is_set():
            return WindowOutcome(service.service_id, day, fetched=False, skipped=True)
        outcome = sync_window(client, service, day)
        if outcome.provider_down:
            provider_down.set()
        return outcome

    workers = max(1, min(max_workers or settings.MIRROR_SYNC_WORKERS, len(todo)))
    if workers == 1:
        # Inline, on the caller's connection (and inside its transaction, in tests).
        report.outcomes = [one(service, day) for service, day in todo]
        return report
    report.outcomes = _bulk(client, todo, workers, provider_down)
    return report


def _bulk(
    client: WavixClient,
    todo: list[tuple[Service, dt.date]],
    workers: int,
    provider_down: threading.Event,
) -> list[WindowOutcome]:
    """Fetch on worker threads; claim and store on this one, in groups (GROUP_SESSIONS).

    Workers never touch the database, so they never queue behind the writer. At most two
    windows per worker are claimed and not yet stored, so a slow database holds the
    fetchers back rather than filling memory, and leases stay short.
    """
    waiting = deque(todo)
    running: set[Future[_Fetched | _Failed]] = set()
    outcomes: dict[tuple[str, dt.date], WindowOutcome] = {}

    def note(outcome: WindowOutcome) -> None:
        outcomes[(outcome.service_id, outcome.day)] = outcome
        if outcome.provider_down:
            provider_down.set()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mirror-fetch") as pool:

        def top_up() -> None:
            while waiting and len(running) < 2 * workers:
                service, day = waiting.popleft()
                if service.rejected_at is not None:
                    note(rejected_outcome(service, day))
                    continue
                if provider_down.is_set():
                    note(WindowOutcome(service.service_id, day, fetched=False, skipped=True))
                    continue
                claim = _claim(service, day, clock=timezone.now)
                if isinstance(claim, WindowOutcome):
                    note(claim)
                else:
                    running.add(pool.submit(copy_context().run, _download, client, claim))

        top_up()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            running.difference_update(done)
            ready: list[_Fetched] = []
            for future in done:
                result = future.result()
                if isinstance(result, _Failed):
                    note(_give_up(result))
                else:
                    ready.append(result)
            top_up()
            for group in _groups(ready):
                for outcome in _store(group):
                    note(outcome)
    return [outcomes[(service.service_id, day)] for service, day in todo]


def _groups(ready: list[_Fetched]) -> Iterator[list[_Fetched]]:
    group: list[_Fetched] = []
    size = 0
    for fetched in ready:
        if group and size + fetched.rows.count > GROUP_SESSIONS:
            yield group
            group, size = [], 0
        group.append(fetched)
        size += fetched.rows.count
    if group:
        yield group
