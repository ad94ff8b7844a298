"""Pages never wait on someone else's fetch, and wait for their own within the budget."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications import page_sync
from dashboard.verifications.models import Service, SyncWindow
from dashboard.verifications.polling import MAX_POLLS
from dashboard.verifications.sync import sync_window
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

POLLING = 'hx-trigger="every 2s"'
HTMX = {"HX-Request": "true"}


def poll(number: int) -> dict[str, str]:
    return {**HTMX, "X-Poll": str(number)}


@pytest.fixture
def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def fake(settings) -> Iterator[FakeWavix]:
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    wavix = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    reset_clients()
    install_wavix_client(wavix.client())
    yield wavix
    reset_clients()


@pytest.fixture
def viewer(client, db):
    client.force_login(user_with_role("vera", "viewer"))
    return client


def lease_elsewhere(service_id: str, day: dt.date, seconds: float = 60) -> None:
    """What `manage.py sync` (another process) leaves in the database while it fetches."""
    service = Service.objects.get_or_create(service_id=service_id, defaults={"source": "settings"})
    SyncWindow.objects.update_or_create(
        service=service[0],
        day=day,
        defaults={
            "lease_owner": "manage-py-sync",
            "lease_until": timezone.now() + dt.timedelta(seconds=seconds),
        },
    )


def finish_elsewhere(fake: FakeWavix, service_id: str, day: dt.date) -> None:
    """The other process's fetch lands: its lease is released and the window stored."""
    service = Service.objects.get(service_id=service_id)
    SyncWindow.objects.filter(service=service, day=day).update(lease_owner="", lease_until=None)
    assert sync_window(fake.client(), service, day).fetched


def session_ids(response) -> set[str]:
    return {row.session_id for row in response.context["rows"]}


@pytest.mark.django_db
def test_a_day_another_process_is_fetching_is_shown_at_once_as_being_fetched(
    fake, viewer, today, settings
):
    settings.MIRROR_PAGE_SYNC_BUDGET = 5.0
    fake.add(SERVICE_A, "a" * 32, timezone.now())
    lease_elsewhere(SERVICE_A, today)

    started = time.monotonic()
    response = viewer.get("/sessions/", {"range": "today"})
    elapsed = time.monotonic() - started

    body = response.content.decode()
    assert elapsed < 1.5  # the leased window was not waited for (the budget is 5 s)
    assert fake.calls[f"{SERVICE_A} {today}"] == 0  # nor fetched a second time
    assert fake.calls[f"{SERVICE_B} {today}"] == 1  # the window nobody held was fetched
    assert response.context["freshness"].fetching_days == [today]
    assert f"Fetching 1 day from Wavix: {today:%-d %b}" in body
    assert POLLING in body
    assert 'class="refresh"' in body  # and a plain link without JavaScript
    assert session_ids(response) == set()


@pytest.mark.django_db
def test_the_polled_results_show_the_new_rows_and_stop_polling_once_the_day_landed(
    fake, viewer, today
):
    fake.add(SERVICE_A, "a" * 32, timezone.now())
    lease_elsewhere(SERVICE_A, today)
    assert POLLING in viewer.get("/sessions/", {"range": "today"}).content.decode()

    finish_elsewhere(fake, SERVICE_A, today)
    response = viewer.get("/sessions/", {"range": "today"}, headers=poll(1))

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')  # the fragment only
    assert session_ids(response) == {"a" * 32}
    assert response.context["freshness"].fetching == []
    assert POLLING not in body
    assert "Fetching" not in body


@pytest.mark.django_db
def test_a_poll_never_calls_the_provider(fake, viewer, today):
    lease_elsewhere(SERVICE_A, today)
    viewer.get("/sessions/", {"range": "today"})
    calls = sum(fake.calls.values())
    SyncWindow.objects.filter(service__service_id=SERVICE_B).delete()  # stale again

    response = viewer.get("/sessions/", {"range": "today"}, headers=poll(1))

    assert sum(fake.calls.values()) == calls
    assert 'hx-headers=\'{"X-Poll": "2"}\'' in response.content.decode()


@pytest.mark.django_db
def test_polling_stops_after_its_cap_while_a_day_is_still_being_fetched(fake, viewer, today):
    lease_elsewhere(SERVICE_A, today)

    response = viewer.get("/sessions/", {"range": "today"}, headers=poll(MAX_POLLS))

    body = response.content.decode()
    assert response.context["freshness"].fetching_days == [today]
    assert POLLING not in body
    assert "still not there after a while" in body


@pytest.mark.django_db
def test_polling_stops_once_the_other_process_lease_expired(fake, viewer, today):
    lease_elsewhere(SERVICE_A, today, seconds=-1)  # its holder died

    response = viewer.get("/sessions/", {"range": "today"}, headers=poll(3))

    body = response.content.decode()
    assert response.context["freshness"].fetching == []
    assert POLLING not in body
    assert "could not be refreshed" in body


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["abc", "-1", "９", "99999999999999999999"])
def test_a_forged_poll_header_is_harmless(fake, viewer, today, header):
    lease_elsewhere(SERVICE_A, today)

    response = viewer.get("/sessions/", {"range": "today"}, headers={**HTMX, "X-Poll": header})

    assert response.status_code == 200
    assert response.context["freshness"].fetching_days == [today]


@pytest.mark.django_db
def test_services_page_polls_its_figures_while_a_day_is_fetched_elsewhere(fake, viewer, today):
    fake.add(SERVICE_A, "a" * 32, timezone.now())
    lease_elsewhere(SERVICE_A, today)
    page = viewer.get("/", {"range": "today"}).content.decode()
    assert '<section id="stats" hx-get="/?range=today"' in page
    assert POLLING in page

    finish_elsewhere(fake, SERVICE_A, today)
    response = viewer.get("/", {"range": "today"}, headers=poll(1))

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="stats"')
    assert POLLING not in body
    login = next(s for s in response.context["stats"] if s.service.service_id == SERVICE_A)
    assert login.sessions == 1


def wait_until(done: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the background fetch never finished"
        time.sleep(0.05)


def pool_idle() -> bool:
    with page_sync._lock:
        return not page_sync._in_flight


@pytest.mark.django_db(transaction=True)
def test_a_slow_provider_holds_a_one_window_page_no_longer_than_its_budget(
    fake, settings, client, today
):
    # Worker threads see committed rows only: hence a transactional test, on the pool.
    settings.MIRROR_SYNC_WORKERS = 2
    settings.MIRROR_PAGE_SYNC_BUDGET = 0.5
    settings.WAVIX_SERVICE_IDS = [SERVICE_A]
    client.force_login(user_with_role("vera", "viewer"))
    fake.delay = 2.0  # within the fake client's own deadline (3 s)
    fake.add(SERVICE_A, "a" * 32, timezone.now())

    started = time.monotonic()
    response = client.get("/sessions/", {"range": "today"})
    elapsed = time.monotonic() - started

    assert elapsed < 0.5 + 1.0
    assert response.context["freshness"].fetching_days == [today]
    assert POLLING in response.content.decode()
    wait_until(pool_idle)  # the fetch went on in the background, and landed
    polled = client.get("/sessions/", {"range": "today"}, headers=poll(1))
    assert session_ids(polled) == {"a" * 32}
    assert POLLING not in polled.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_service_list_refresh_obeys_the_page_budget(fake, settings, client):
    settings.MIRROR_SYNC_WORKERS = 2
    settings.MIRROR_PAGE_SYNC_BUDGET = 0.5
    client.force_login(user_with_role("vera", "viewer"))
    Service.objects.create(service_id=SERVICE_A, source="settings", name="Login")
    fake.catalog_delay = 2.0

    started = time.monotonic()
    response = client.get("/", {"range": "today"})
    elapsed = time.monotonic() - started

    assert elapsed < 0.5 + 1.0
    assert [s.service.service_id for s in response.context["stats"]] == [SERVICE_A]
    wait_until(pool_idle)  # the refresh went on in the background, and landed
    assert Service.objects.filter(service_id=SERVICE_B).exists()
