"""What the operator should know about how fresh the mirrored data on screen is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from dashboard.verifications.models import Service
from dashboard.verifications.page_sync import fetching_in_process
from dashboard.verifications.sync import WindowState, is_fresh, is_leased, window_states


@dataclass(frozen=True)
class StaleWindow:
    service: str
    day: dt.date
    error: str
    fetched_at: dt.datetime | None


@dataclass(frozen=True)
class Freshness:
    synced_at: dt.datetime | None
    stale: list[StaleWindow]
    windows: int
    # Shown services Wavix refuses: not synced, so their windows are not listed as stale;
    # the Services page marks them.
    rejected: list[str] = field(default_factory=list)
    # Stale windows someone is fetching right now (this process or another): what is held
    # is shown meanwhile, and the page polls for them.
    fetching: list[StaleWindow] = field(default_factory=list)

    @property
    def all_fresh(self) -> bool:
        return not self.stale and not self.fetching

    @property
    def fetching_days(self) -> list[dt.date]:
        return sorted({w.day for w in self.fetching})


def freshness(
    services: Sequence[Service],
    days: Sequence[dt.date],
    known: dict[tuple[int, dt.date], WindowState] | None = None,
) -> Freshness:
    """How fresh these windows are. known: the windows as read a moment ago (by the page's
    refresh); only the days where one was not fresh then are read again."""
    now = timezone.now()
    names = {s.pk: s.display_name for s in services}
    # Read now, not from the objects: the sync that just ran may have marked one.
    rejected_pks = set(
        Service.objects.filter(pk__in=names, rejected_at__isnull=False).values_list("pk", flat=True)
    )
    rejected = [names[pk] for pk in names if pk in rejected_pks]
    services = [s for s in services if s.unwatched_at is None and s.pk not in rejected_pks]
    windows = _current_windows(services, days, known, now)
    stale: list[StaleWindow] = []
    fetching: list[StaleWindow] = []
    fetched = []
    for service in services:
        for day in days:
            window = windows.get((service.pk, day))
            if window is not None and window.fetched_at is not None:
                fetched.append(window.fetched_at)
            if is_fresh(window, now):
                continue
            entry = StaleWindow(
                service=names[service.pk],
                day=day,
                error=(window.last_error if window else "") or "not fetched yet",
                fetched_at=window.fetched_at if window else None,
            )
            if is_leased(window, now) or fetching_in_process(service, day):
                fetching.append(entry)
            else:
                stale.append(entry)
    # "As of": the oldest fetch among the windows shown, the honest lower bound.
    return Freshness(
        synced_at=min(fetched) if fetched else None,
        stale=stale,
        windows=len(services) * len(days),
        rejected=rejected,
        fetching=fetching,
    )


def _current_windows(
    services: Sequence[Service],
    days: Sequence[dt.date],
    known: dict[tuple[int, dt.date], WindowState] | None,
    now: dt.datetime,
) -> dict[tuple[int, dt.date], WindowState]:
    if known is None:
        return window_states(services, days)
    # A window fresh a moment ago is fresh now (settled ones for good); the others may have
    # just been fetched, here or elsewhere: their days are read again.
    changing = [
        day for day in days if any(not is_fresh(known.get((s.pk, day)), now) for s in services)
    ]
    windows = dict(known)
    if changing:
        windows.update(window_states(services, changing))
    return windows
