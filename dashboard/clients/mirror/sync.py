"""Mirror every B2Core client's 2FA changes, incrementally, for the cross-client feed.

B2Core lists changes per client only, so a sync walks the client list and asks each client
for what is new since the newest change it holds (``filter[timeFrom]``, oldest first; the
boundary change comes back and is recognised by its ID). As the Wavix mirror does with its
windows: one lease row per client makes two workers never fetch the same client; worker
threads only talk HTTP, and this thread claims, stores (in batches, one transaction each) and
releases. A 403 for one client (a tag-restricted Back Office account) is expected and kept
apart from failures.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from dashboard.clients.mirror.store import Fetched, remember_list, store
from dashboard.clients.models import ClientSyncState
from dashboard.providers.b2core import B2CoreClient, Client
from dashboard.providers.errors import (
    Forbidden,
    ProviderError,
    RateLimited,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger(__name__)

CLIENTS_A_PAGE = 100  # client-list records remembered a statement
STORE_CLIENTS = 200  # fetched clients stored a transaction
STORE_CHANGES = 5000
PROVIDER_WIDE_ERRORS = (Unavailable, Unauthorized, RateLimited)

ErrorKind = ClientSyncState.ErrorKind


@dataclass(frozen=True)
class Failed:
    client_id: str
    kind: str  # ErrorKind value, or "" when the client was not attempted
    message: str
    started: dt.datetime


@dataclass
class ClientSyncReport:
    clients: int = 0  # listed by B2Core
    fetched: int = 0
    changes: int = 0  # new changes stored
    fresh: int = 0  # synced less than CLIENT_SYNC_FRESHNESS_SECONDS ago: not asked
    held: int = 0  # another worker holds them
    skipped: int = 0  # not attempted: B2Core was down or refused us
    requests: int = 0
    claimed_total: int | None = None  # what B2Core says the client count is (display only)
    restricted: list[Failed] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    list_error: str = ""  # the client list itself could not be read to its end
    fetched_clients: list[str] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.fetched + len(self.restricted) + len(self.failed) + self.skipped

    @property
    def ok(self) -> bool:
        return not self.failed and not self.list_error and not self.skipped


Progress = Callable[[ClientSyncReport], None]


def freshness() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CLIENT_SYNC_FRESHNESS_SECONDS)


def lease_length() -> dt.timedelta:
    return dt.timedelta(seconds=settings.CLIENT_SYNC_LEASE_SECONDS)


def _remember(clients: list[Client]) -> None:
    """A state row for every listed client (name and e-mail kept current for the feed)."""
    ClientSyncState.objects.bulk_create(
        [ClientSyncState(client_id=c.id, email=c.email[:254], name=c.name[:200]) for c in clients],
        update_conflicts=True,
        unique_fields=["client_id"],
        update_fields=["email", "name"],
    )


def claim(
    client_ids: list[str], owner: str, now: dt.datetime, *, force: bool
) -> tuple[dict[str, dt.datetime | None], int]:
    """Lease the clients that are due and free; their last seen change times, and how many
    were fresh enough to leave alone."""
    due = ClientSyncState.objects.filter(client_id__in=client_ids)
    fresh = 0
    if not force:
        cutoff = now - freshness()
        fresh = due.filter(synced_at__gte=cutoff).count()
        due = due.filter(Q(synced_at__isnull=True) | Q(synced_at__lt=cutoff))
    due.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_owner=owner, lease_until=now + lease_length()
    )
    mine = ClientSyncState.objects.filter(client_id__in=client_ids, lease_owner=owner)
    return dict(mine.values_list("client_id", "last_change_time")), fresh


def _give_up(failed: Failed, owner: str) -> None:
    changes: dict[str, object] = {"lease_owner": "", "lease_until": None}
    if failed.kind:
        changes.update(
            last_attempt_at=failed.started, error_kind=failed.kind, last_error=failed.message[:500]
        )
    ClientSyncState.objects.filter(client_id=failed.client_id, lease_owner=owner).update(**changes)


def _download(
    b2core: B2CoreClient,
    client_id: str,
    since: dt.datetime | None,
    provider_down: threading.Event,
    clock: Callable[[], dt.datetime],
) -> Fetched | Failed:
    """One client's new changes; no database access, so any thread may run it."""
    started = clock()
    if provider_down.is_set():
        return Failed(client_id, "", "not attempted: B2Core failed for an earlier client", started)
    if since is not None:
        # B2Core may write a change with a time a little in the past; the overlap asks for
        # those again (changes already held are recognised by their ID).
        since -= dt.timedelta(seconds=settings.CLIENT_SYNC_OVERLAP_SECONDS)
    walk = b2core.iter_changes(client_id, time_from=since, sort_order="asc")
    try:
        changes = list(walk)
    except Forbidden as exc:
        return Failed(client_id, ErrorKind.FORBIDDEN, str(exc), started)
    except ProviderError as exc:
        if isinstance(exc, PROVIDER_WIDE_ERRORS):
            provider_down.set()
        return Failed(client_id, ErrorKind.FAILED, str(exc), started)
    return Fetched(client_id, changes, started, walk.pages)


def _pages(clients: Iterable[Client]) -> Iterator[list[Client]]:
    page: list[Client] = []
    for client in clients:
        page.append(client)
        if len(page) == CLIENTS_A_PAGE:
            yield page
            page = []
    if page:
        yield page


def sync_clients(
    b2core: B2CoreClient,
    *,
    workers: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] = timezone.now,
) -> ClientSyncReport:
    """Fetch every due client's new 2FA changes into the mirror; return what happened.

    ``force`` asks clients synced within CLIENT_SYNC_FRESHNESS_SECONDS too. Clients another
    worker holds are left to it. After a provider-wide failure (down, refusing our
    credentials, rate limiting) the remaining clients are not asked.
    """
    owner = uuid.uuid4().hex
    run_started = clock()
    workers = max(1, workers or settings.CLIENT_SYNC_WORKERS)
    report = ClientSyncReport()
    provider_down = threading.Event()
    ready: list[Fetched] = []
    walk = b2core.iter_clients(sort_order="asc")

    def flush(final: bool = False) -> None:
        size = sum(len(f.changes) for f in ready)
        if ready and (final or len(ready) >= STORE_CLIENTS or size >= STORE_CHANGES):
            report.changes += store(ready, owner)
            ready.clear()
            if progress:
                progress(report)

    def collect(done: Iterable[Future[Fetched | Failed]]) -> None:
        for future in done:
            result = future.result()
            if isinstance(result, Fetched):
                report.fetched += 1
                report.requests += result.requests
                report.fetched_clients.append(result.client_id)
                ready.append(result)
                continue
            _give_up(result, owner)
            if result.kind == ErrorKind.FORBIDDEN:
                report.restricted.append(result)
            elif result.kind == ErrorKind.FAILED:
                log.warning("sync_clients: client %s failed: %s", result.client_id, result.message)
                report.failed.append(result)
            else:
                report.skipped += 1
        flush()

    running: set[Future[Fetched | Failed]] = set()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="client-sync") as pool:
        try:
            for page in _pages(walk):
                report.clients += len(page)
                report.claimed_total = walk.total
                _remember(page)
                # Claimed a few at a time, just before they are fetched: a lease is held
                # only while its client is really being worked on, and concurrent runs
                # share the list instead of the first one taking a whole page.
                for start in range(0, len(page), workers):
                    while len(running) >= workers:
                        done, _ = wait(running, return_when=FIRST_COMPLETED)
                        running.difference_update(done)
                        collect(done)
                    ids = [c.id for c in page[start : start + workers]]
                    claimed, fresh = claim(ids, owner, clock(), force=force)
                    report.fresh += fresh
                    report.held += len(ids) - len(claimed) - fresh
                    for client_id, since in claimed.items():
                        running.add(
                            pool.submit(
                                copy_context().run,
                                _download,
                                b2core,
                                client_id,
                                since,
                                provider_down,
                                clock,
                            )
                        )
                if progress:
                    progress(report)
        except ProviderError as exc:
            report.list_error = str(exc)
            log.warning("sync_clients: the client list stopped: %s", exc)
        finally:
            report.requests += walk.pages
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                running.difference_update(done)
                collect(done)
            flush(final=True)
    remember_list(run_started, report.list_error)
    if progress:
        progress(report)
    return report
