"""freshness() reusing the windows the page's refresh read a moment before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.verifications.freshness import freshness
from dashboard.verifications.models import Service, SyncWindow
from dashboard.verifications.sync import window_states

pytestmark = pytest.mark.django_db


def days_back(count: int) -> list[dt.date]:
    today = timezone.now().astimezone(dt.UTC).date()
    return [today - dt.timedelta(days=n) for n in range(count - 1, -1, -1)]


def settle(service: Service, days: list[dt.date]) -> None:
    SyncWindow.objects.bulk_create(
        SyncWindow(service=service, day=day, fetched_at=timezone.now(), settled=True)
        for day in days
    )


def window_reads(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "syncwindow" in q["sql"].lower()]


def test_settled_days_read_by_the_refresh_are_not_read_again():
    service = Service.objects.create(service_id="svc-a")
    days = days_back(30)
    settle(service, days)
    known = window_states([service], days)
    with CaptureQueriesContext(connection) as queries:
        fresh = freshness([service], days, known)
    assert fresh.all_fresh
    assert window_reads(queries) == []


def test_a_day_stale_when_read_is_read_again_and_shown_fetched_since():
    service = Service.objects.create(service_id="svc-a")
    days = days_back(30)
    settle(service, days[:-1])
    known = window_states([service], days)  # today: not fetched yet
    # The refresh fetches today after reading the windows.
    SyncWindow.objects.create(service=service, day=days[-1], fetched_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        fresh = freshness([service], days, known)
    assert fresh.all_fresh
    reads = window_reads(queries)
    assert len(reads) == 1
    # Only today's day is asked for, not the month.
    assert str(days[0]) not in reads[0]


def test_a_day_still_unfetched_is_listed_stale_with_known_windows():
    service = Service.objects.create(service_id="svc-a")
    days = days_back(7)
    settle(service, days[:-1])
    fresh = freshness([service], days, window_states([service], days))
    assert [(w.day, w.error) for w in fresh.stale] == [(days[-1], "not fetched yet")]


def test_without_known_windows_every_day_is_read():
    service = Service.objects.create(service_id="svc-a")
    days = days_back(7)
    settle(service, days)
    with CaptureQueriesContext(connection) as queries:
        assert freshness([service], days).all_fresh
    assert len(window_reads(queries)) == 1
