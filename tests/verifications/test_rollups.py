"""Daily rollups stay equal to an aggregation of the sessions, whatever writes the sessions."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from dashboard.verifications.models import DailyRollup, DailyTotal, MirroredSession, Service
from dashboard.verifications.rollups import set_session_status
from dashboard.verifications.service_catalog import unwatch_service
from dashboard.verifications.sync import sync_range
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db

STATUSES = ["verified", "verified", "verified", "failed", "expired", "canceled", "pending"]
COUNTRIES = ["GB", "FR", "US", ""]


def raw_rollups() -> dict[tuple[int, dt.date, str, str], tuple[int, Decimal, dt.datetime]]:
    """What the rollups must hold, computed in Python from every session row."""
    found: dict[tuple[int, dt.date, str, str], list[Any]] = defaultdict(
        lambda: [0, Decimal(0), None]
    )
    for service, created, status, country, charge in MirroredSession.objects.values_list(
        "service_id", "created_at", "status", "country", "charge"
    ):
        row = found[(service, created.astimezone(dt.UTC).date(), status, country)]
        row[0] += 1
        row[1] += charge
        row[2] = created if row[2] is None else max(row[2], created)
    return {
        key: (n, spend.quantize(Decimal("0.0001")), last) for key, (n, spend, last) in found.items()
    }


def stored_rollups() -> dict[tuple[int, dt.date, str, str], tuple[int, Decimal, dt.datetime]]:
    return {
        (r.service_id, r.day, r.status, r.country): (
            r.sessions,
            r.spend.quantize(Decimal("0.0001")),
            r.last_created_at,
        )
        for r in DailyRollup.objects.all()
    }


def assert_exact() -> None:
    expected = raw_rollups()
    assert stored_rollups() == expected
    totals: dict[tuple[int, dt.date, str], tuple[int, Decimal]] = defaultdict(
        lambda: (0, Decimal(0))
    )
    for (service, day, status, _), (n, spend, _) in expected.items():
        count, amount = totals[(service, day, status)]
        totals[(service, day, status)] = (count + n, amount + spend)
    assert {
        (t.service_id, t.day, t.status): (t.sessions, t.spend.quantize(Decimal("0.0001")))
        for t in DailyTotal.objects.all()
    } == dict(totals)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def today():
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def services():
    return [
        Service.objects.create(service_id=SERVICE_A, source="settings"),
        Service.objects.create(service_id=SERVICE_B, source="settings"),
    ]


def fill(fake: FakeWavix, today: dt.date, days: int, per_day: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = timezone.now()
    for d in range(days):
        day = today - dt.timedelta(days=d)
        for n in range(per_day):
            created = at(day, rng.randrange(24), rng.randrange(60))
            if created >= now:
                continue
            fake.add(
                rng.choice([SERVICE_A, SERVICE_B]),
                f"{d:04d}{n:04d}".ljust(32, "0"),
                created,
                status=rng.choice(STATUSES),
                country=rng.choice(COUNTRIES),
                charge=f"0.{rng.randrange(100, 2000):04d}",
            )


@pytest.fixture
def wavix(today):
    fake = FakeWavix()
    fill(fake, today, days=5, per_day=40)
    return fake


def sync(fake: FakeWavix, services: list[Service], first: dt.date, last: dt.date) -> None:
    report = sync_range(fake.client(), services, first, last, force=True, max_workers=1)
    assert report.errors == []


def test_rollups_equal_the_sessions_after_a_sync(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)

    assert MirroredSession.objects.count() > 150
    assert len(stored_rollups()) > 40
    assert_exact()


def test_a_resync_with_changed_statuses_rewrites_the_windows_rollups(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    yesterday = today - dt.timedelta(days=1)
    changed = [
        row["session_id"]
        for rows in wavix.sessions.values()
        for row in rows
        if row["created_at"].startswith(str(yesterday))
    ][:15]
    for session_id in changed:
        wavix.set_status(session_id, "expired")

    sync(wavix, services, yesterday, yesterday)

    assert MirroredSession.objects.filter(pk__in=changed, status="expired").count() == 15
    assert_exact()


def test_a_session_the_provider_moves_to_another_day_leaves_no_count_behind(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    two_days_ago = today - dt.timedelta(days=2)
    row = next(
        r for r in wavix.sessions[SERVICE_A] if r["created_at"].startswith(str(two_days_ago))
    )
    row["created_at"] = at(today - dt.timedelta(days=3), 12).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    sync(wavix, services, today - dt.timedelta(days=3), today - dt.timedelta(days=3))

    assert_exact()


def test_a_status_change_moves_one_session_between_rollup_rows(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    session = MirroredSession.objects.filter(status="pending").first()
    assert session is not None

    assert set_session_status(session.pk, "canceled") is True
    assert set_session_status(session.pk, "canceled") is False

    assert MirroredSession.objects.get(pk=session.pk).status == "canceled"
    assert_exact()


def test_purge_keeps_the_rollups_of_what_is_left(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    before = MirroredSession.objects.count()

    # A cutoff in the middle of a day: that day's rollups are recomputed, not dropped.
    call_command("purge_mirror", "--days", "2", verbosity=0)

    assert 0 < MirroredSession.objects.count() < before
    cutoff_day = (timezone.now() - dt.timedelta(days=2)).astimezone(dt.UTC).date()
    assert DailyRollup.objects.filter(day=cutoff_day).exists() or not (
        MirroredSession.objects.filter(created_at__date=cutoff_day).exists()
    )
    assert not DailyRollup.objects.filter(day__lt=cutoff_day).exists()
    assert_exact()


def test_unwatching_with_purge_drops_the_services_rollups(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    user = User.objects.create(username="ada")

    unwatch_service(services[0], user, purge=True)

    assert not DailyRollup.objects.filter(service=services[0]).exists()
    assert not DailyTotal.objects.filter(service=services[0]).exists()
    assert DailyRollup.objects.filter(service=services[1]).exists()
    assert_exact()


def test_rebuild_rollups_reproduces_them(wavix, services, today):
    sync(wavix, services, today - dt.timedelta(days=4), today)
    kept = stored_rollups()
    DailyRollup.objects.filter(day=today - dt.timedelta(days=1)).update(sessions=999)
    DailyTotal.objects.filter(day=today - dt.timedelta(days=2)).delete()
    DailyRollup.objects.create(
        service=services[0],
        day=today - dt.timedelta(days=30),
        status="verified",
        country="GB",
        sessions=5,
        spend=Decimal(1),
        last_created_at=at(today - dt.timedelta(days=30), 3),
    )

    call_command("rebuild_rollups", verbosity=0)

    assert stored_rollups() == kept
    assert_exact()
