"""A page's share of the provider: it never waits on someone else's fetch.

A page fetches only the windows of its range that are stale and that nobody is fetching (no
live lease in the database, not queued in this process), on a shared pool, and waits for
them no longer than its budget (MIRROR_PAGE_SYNC_BUDGET); what is not done by then goes on
in the background. The service-list refresh shares the same budget. Whatever is still being
fetched is shown as such (freshness.py) and the page polls until it lands.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from dashboard.providers.deadline import unshared
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.models import Service
from dashboard.verifications.sync import (
    SyncReport,
    WindowOutcome,
    days_between,
    is_fresh,
    is_leased,
    rejected_outcome,
    sync_window,
    window_states,
)

T = TypeVar("T")


@dataclass(frozen=True)
class PageBudget:
    """The time one page view may spend on the provider, all calls together."""

    deadline: float  # time.monotonic()

    @classmethod
    def start(cls, seconds: float | None = None) -> PageBudget:
        budget = settings.MIRROR_PAGE_SYNC_BUDGET if seconds is None else seconds
        return cls(time.monotonic() + budget)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


# One long-lived pool for all page views: a fetch a page stopped waiting for finishes in the
# background, and the next page view (or poll) finds the window fresh.
_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()
# Work queued or running on the pool, so that a page (or a poll) never queues it twice:
# ("window", service pk, day) and ("catalog",).
_in_flight: set[Hashable] = set()


def _page_pool() -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.MIRROR_SYNC_WORKERS, thread_name_prefix="mirror-page"
            )
        return _pool


def _window_key(service: Service, day: dt.date) -> tuple[str, int, dt.date]:
    return ("window", service.pk, day)


def fetching_in_process(service: Service, day: dt.date) -> bool:
    """Queued or running on this process's page pool (its lease may not be taken yet)."""
    with _lock:
        return _window_key(service, day) in _in_flight


def _inline() -> bool:
    # Inside a transaction (tests; ATOMIC_REQUESTS) worker threads could not see the caller's
    # uncommitted rows: the work runs inline, and the budget is checked between calls only.
    # As on the pool, it is outside the request's shared provider deadline (unshared()).
    return connection.in_atomic_block


def _submit(key: Hashable, fn: Callable[[], T]) -> Future[T] | None:
    """Queue fn on the page pool unless work under the same key is already in flight."""
    with _lock:
        if key in _in_flight:
            return None
        _in_flight.add(key)

    def run() -> T:
        try:
            return fn()
        finally:
            with _lock:
                _in_flight.discard(key)
            # Worker threads open their own DB connections; close them before idling.
            connections.close_all()

    try:
        # A copy of the caller's context: its request id follows the work (calllog.py).
        return _page_pool().submit(copy_context().run, run)
    except RuntimeError:  # the pool is shutting down with the process
        with _lock:
            _in_flight.discard(key)
        raise


def within_budget(key: Hashable, fn: Callable[[], T], budget: PageBudget) -> T | None:
    """fn's result if it ends within the budget; None if it goes on in the background, or
    if the same work is already under way (it is not waited for)."""
    if _inline():
        with unshared():
            return fn()
    future = _submit(key, fn)
    if future is None:
        return None
    try:
        return future.result(timeout=budget.remaining())
    except TimeoutError:
        return None


def refresh_for_page(
    client: WavixClient,
    services: Sequence[Service],
    date_from: dt.date,
    date_to: dt.date,
    budget: PageBudget,
) -> SyncReport:
    """Fetch the stale windows of a range that nobody else is fetching, within the budget.

    Windows someone else is fetching are reported with fetched_elsewhere, at once; windows
    not done in time with skipped (they go on in the background). After a provider-wide
    failure the rest are skipped rather than hammering the provider.
    """
    now = timezone.now()
    # Unwatched and rejected services are not fetched (a rejected one until it is checked
    # again: in the background sync, or by an operator on the Services page).
    services = [s for s in services if s.syncable]
    days = days_between(date_from, date_to)
    states = window_states(services, days)
    report = SyncReport(known=states)
    todo: list[tuple[Service, dt.date]] = []
    for service in services:
        for day in days:
            state = states.get((service.pk, day))
            if is_fresh(state, now):
                continue
            if is_leased(state, now) or fetching_in_process(service, day):
                report.outcomes.append(
                    WindowOutcome(service.service_id, day, fetched=False, fetched_elsewhere=True)
                )
            else:
                todo.append((service, day))
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

    if _inline():
        with unshared():
            for service, day in todo:
                if budget.remaining() <= 0:
                    provider_down.set()  # out of time: the rest are skipped, not fetched
                report.outcomes.append(one(service, day))
        return report
    queued: list[tuple[Service, dt.date, Future[WindowOutcome] | None]] = [
        (s, d, _submit(_window_key(s, d), partial(one, s, d))) for s, d in todo
    ]
    wait([f for _, _, f in queued if f is not None], timeout=budget.remaining())
    for service, day, future in queued:
        if future is None:  # another page queued it in between
            outcome = WindowOutcome(service.service_id, day, fetched=False, fetched_elsewhere=True)
        elif future.done():
            outcome = future.result()
        else:
            outcome = WindowOutcome(service.service_id, day, fetched=False, skipped=True)
        report.outcomes.append(outcome)
    return report
