from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.utils import timezone

from dashboard.verifications.models import MirroredSession, Service, SyncWindow
from dashboard.verifications.sync import SyncReport, is_settled, sync_range, sync_window
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture
def today():
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def services():
    return [
        Service.objects.create(service_id=SERVICE_A, source="settings"),
        Service.objects.create(service_id=SERVICE_B, source="settings"),
    ]


@pytest.fixture
def wavix(today):
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    yesterday = today - dt.timedelta(days=1)
    fake.add(SERVICE_A, "1" * 32, at(yesterday, 9), status="pending")
    fake.add(SERVICE_A, "2" * 32, at(yesterday, 10), phone="33612345678", country="FR")
    fake.add(SERVICE_B, "3" * 32, at(yesterday, 11), status="failed", charge="0.1200")
    return fake


def test_sync_copies_every_session_of_the_range(wavix, services, today):
    report = sync_range(
        wavix.client(), services, today - dt.timedelta(days=1), today, max_workers=1
    )

    assert report.errors == []
    assert report.fetched == 4  # 2 services × 2 days, today's windows empty
    assert set(MirroredSession.objects.values_list("session_id", flat=True)) == {
        "1" * 32,
        "2" * 32,
        "3" * 32,
    }
    row = MirroredSession.objects.get(session_id="2" * 32)
    assert (row.phone_number, row.phone_last4, row.country) == ("33612345678", "5678", "FR")


def test_sync_twice_leaves_the_same_rows(wavix, services, today):
    client = wavix.client()
    sync_range(client, services, today - dt.timedelta(days=1), today, max_workers=1)
    before = list(MirroredSession.objects.order_by("pk").values_list("pk", "status", "charge"))
    sync_range(client, services, today - dt.timedelta(days=1), today, force=True, max_workers=1)
    after = list(MirroredSession.objects.order_by("pk").values_list("pk", "status", "charge"))
    assert before == after
    assert SyncWindow.objects.count() == 4


def test_a_status_changed_upstream_changes_in_the_mirror(wavix, services, today):
    client = wavix.client()
    yesterday = today - dt.timedelta(days=1)
    sync_range(client, services, yesterday, yesterday, max_workers=1)
    wavix.set_status("1" * 32, "verified")

    sync_range(client, services, yesterday, yesterday, force=True, max_workers=1)

    assert MirroredSession.objects.get(session_id="1" * 32).status == "verified"


def test_fresh_windows_are_not_fetched_again(wavix, services, today):
    client = wavix.client()
    sync_range(client, services, today, today, max_workers=1)
    sync_range(client, services, today, today, max_workers=1)
    assert wavix.calls[f"{SERVICE_A} {today}"] == 1


def test_a_failed_fetch_keeps_the_old_rows_and_records_why(wavix, services, today, settings):
    settings.MIRROR_FRESHNESS_SECONDS = 1
    client = wavix.client()
    yesterday = today - dt.timedelta(days=1)
    sync_window(client, services[0], yesterday)
    wavix.fail_with = 502

    outcome = sync_window(client, services[0], yesterday)

    window = SyncWindow.objects.get(service=services[0], day=yesterday)
    assert not outcome.fetched
    assert "Wavix" in window.last_error
    assert window.fetched_at is not None  # still the old, successful fetch
    assert MirroredSession.objects.filter(service=services[0]).count() == 2


def test_a_day_is_settled_only_when_fetched_after_its_codes_expired():
    day = dt.date(2026, 1, 10)
    assert not is_settled(day, at(day, 23))
    assert not is_settled(day, at(day + dt.timedelta(days=1), 0))
    assert is_settled(day, at(day + dt.timedelta(days=1), 1))


def test_service_name_is_learnt_from_sessions(wavix, services, today):
    sync_range(wavix.client(), services, today - dt.timedelta(days=1), today, max_workers=1)
    assert Service.objects.get(service_id=SERVICE_A).name == "Login"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_syncs_of_one_window_make_one_provider_call(today):
    service = Service.objects.create(service_id=SERVICE_A, source="settings")
    wavix = FakeWavix(delay=0.5)
    wavix.add(SERVICE_A, "4" * 32, at(today, 0))
    client = wavix.client()
    outcomes = []

    def run() -> None:
        try:
            outcomes.append(sync_window(client, service, today))
        finally:
            connections.close_all()  # else the test database cannot be dropped

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert wavix.calls[f"{SERVICE_A} {today}"] == 1
    assert sorted(o.fetched for o in outcomes) == [False, True]
    assert any(o.fetched_elsewhere for o in outcomes)


@pytest.mark.django_db(transaction=True)
def test_an_expired_lease_is_taken_over(today):
    service = Service.objects.create(service_id=SERVICE_A, source="settings")
    SyncWindow.objects.create(
        service=service,
        day=today,
        lease_owner="crashed-worker",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    wavix = FakeWavix()
    wavix.add(SERVICE_A, "5" * 32, at(today, 0))

    outcome = sync_window(wavix.client(), service, today)

    assert outcome.fetched
    assert SyncWindow.objects.get(service=service, day=today).lease_owner == ""


@pytest.fixture
def busy_week(today):
    """Two services × 7 days, three sessions a window."""
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    for offset in range(7):
        day = today - dt.timedelta(days=offset + 1)
        for service_id in (SERVICE_A, SERVICE_B):
            for hour in (1, 2, 3):
                fake.add(service_id, f"{service_id[0]}{offset}{hour}".ljust(32, "0"), at(day, hour))
    return fake


def sync_past_week(
    fake: FakeWavix, services: list[Service], today: dt.date, *, workers: int
) -> SyncReport:
    """The seven days before today, on several workers: the bulk path."""
    return sync_range(
        fake.client(),
        services,
        today - dt.timedelta(days=7),
        today - dt.timedelta(days=1),
        max_workers=workers,
    )


@pytest.mark.django_db(transaction=True)
def test_bulk_sync_on_several_workers_stores_every_window_newest_day_first(busy_week, today):
    services = [
        Service.objects.create(service_id=SERVICE_A, source="settings"),
        Service.objects.create(service_id=SERVICE_B, source="settings"),
    ]
    first = today - dt.timedelta(days=7)

    report = sync_past_week(busy_week, services, today, workers=3)

    assert report.errors == []
    assert report.sessions == MirroredSession.objects.count() == 2 * 7 * 3
    windows = SyncWindow.objects.filter(day__lt=today)
    assert windows.count() == 14
    assert all(w.fetched_at is not None and w.lease_owner == "" for w in windows)
    assert [(o.service_id, o.day) for o in report.outcomes] == [
        (s.service_id, first + dt.timedelta(days=i)) for i in reversed(range(7)) for s in services
    ]


@pytest.mark.django_db(transaction=True)
def test_bulk_sync_stores_in_several_transactions_when_windows_exceed_a_group(
    busy_week, today, monkeypatch
):
    monkeypatch.setattr("dashboard.verifications.sync.GROUP_SESSIONS", 4)
    services = [Service.objects.create(service_id=SERVICE_A, source="settings")]

    report = sync_past_week(busy_week, services, today, workers=2)

    assert report.fetched == 7
    assert MirroredSession.objects.count() == 7 * 3


@pytest.mark.django_db(transaction=True)
def test_bulk_sync_keeps_a_failed_window_stale_and_stores_the_others(busy_week, today):
    services = [Service.objects.create(service_id=SERVICE_A, source="settings")]
    bad_day = today - dt.timedelta(days=3)
    # A 200 whose body is HTML: this window's trouble, not a provider-wide outage.
    busy_week.failing[f"{SERVICE_A} {bad_day}"] = 200

    report = sync_past_week(busy_week, services, today, workers=2)

    assert [o.day for o in report.errors] == [bad_day]
    bad = SyncWindow.objects.get(day=bad_day)
    assert bad.fetched_at is None
    assert bad.last_error
    assert bad.lease_owner == ""
    assert MirroredSession.objects.count() == 6 * 3


@pytest.mark.django_db(transaction=True)
def test_bulk_sync_skips_the_rest_once_the_provider_is_down(busy_week, today):
    services = [Service.objects.create(service_id=SERVICE_A, source="settings")]
    busy_week.fail_with = 503

    report = sync_past_week(busy_week, services, today, workers=2)

    assert report.fetched == 0
    assert report.skipped >= 1
    assert sum(busy_week.calls.values()) < 7
