"""A service Wavix refuses (a mistyped ID, a deleted service): marked once, not hammered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import Service
from dashboard.verifications.service_catalog import recheck_rejected
from dashboard.verifications.sync import sync_range
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

MISTYPED = "0123456789abcdef0123456789abcdef"


def today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


@pytest.fixture
def fake(settings):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    wavix = FakeWavix(unknown={SERVICE_B})
    wavix.add(SERVICE_A, "a1".ljust(32, "0"), timezone.now() - dt.timedelta(hours=1))
    reset_clients()
    install_wavix_client(wavix.client())
    yield wavix
    reset_clients()


def test_a_service_wavix_rejects_is_not_warned_about_on_every_sessions_page(
    socket_providers, viewer_client
):
    Service.objects.create(service_id=MISTYPED, source=Service.Source.OPERATOR)

    first = viewer_client.get("/sessions/").content.decode()
    second = viewer_client.get("/sessions/").content.decode()

    for body in (first, second):
        assert "rejected the request (400)" not in body
        assert "cannot be found" not in body
        assert "could not be refreshed" not in body
        assert "still being fetched" not in body
    assert Service.objects.get(service_id=MISTYPED).rejected_at is not None


def test_a_rejected_service_is_marked_once_on_the_services_page(socket_providers, viewer_client):
    Service.objects.create(service_id=MISTYPED, source=Service.Source.OPERATOR)

    for _ in range(2):
        response = viewer_client.get("/")
        body = response.content.decode()
        assert response.status_code == 200
        assert body.count("cannot be found") == 1
        assert f'id="rejected-{MISTYPED}"' in body
        assert "could not be refreshed" not in body
    rejected = {s.service.service_id for s in response.context["stats"] if s.service.rejected_at}
    assert rejected == {MISTYPED}


@pytest.mark.django_db
def test_page_syncs_ask_wavix_about_a_rejected_service_once_then_never(fake):
    services = [
        Service.objects.create(service_id=SERVICE_A, source="settings"),
        Service.objects.create(service_id=SERVICE_B, source="operator"),
    ]
    client = fake.client()
    week = (today() - dt.timedelta(days=6), today())

    first = sync_range(client, services, *week, max_workers=1)
    second = sync_range(client, list(Service.objects.all()), *week, max_workers=1)

    calls_b = sum(n for key, n in fake.calls.items() if key.startswith(SERVICE_B))
    assert calls_b == 1  # the first window; the other six were skipped
    assert first.errors == []
    assert first.skipped == 0  # not "still being fetched": never to be fetched
    assert len(first.rejected) == 7
    assert second.outcomes == []  # A's windows are fresh, B is skipped
    marked = Service.objects.get(service_id=SERVICE_B)
    assert "cannot be found" in marked.rejected_message


@pytest.mark.django_db
def test_recheck_waits_for_its_interval_then_lifts_the_mark_when_wavix_accepts(fake, settings):
    settings.MIRROR_REJECTED_RECHECK_SECONDS = 3600
    recent = Service.objects.create(
        service_id=SERVICE_B, source="operator", rejected_at=timezone.now(), rejected_message="x"
    )
    fake.unknown.clear()

    assert recheck_rejected(fake.client(), [recent]) == [recent]
    assert not fake.calls

    Service.objects.filter(pk=recent.pk).update(rejected_at=timezone.now() - dt.timedelta(hours=2))
    due = Service.objects.get(pk=recent.pk)
    assert recheck_rejected(fake.client(), [due]) == []
    assert sum(fake.calls.values()) == 1
    assert Service.objects.get(pk=recent.pk).rejected_at is None


@pytest.mark.django_db
def test_sync_command_rechecks_a_due_rejected_service_and_says_which_stay_rejected(fake, capsys):
    Service.objects.create(
        service_id=SERVICE_B,
        source="operator",
        rejected_at=timezone.now() - dt.timedelta(days=1),
        rejected_message="old",
    )

    call_command("sync", days=2)

    err = capsys.readouterr().err
    assert f"{SERVICE_B} skipped: rejected by Wavix" in err
    assert "cannot be found" in Service.objects.get(service_id=SERVICE_B).rejected_message
    assert sum(n for key, n in fake.calls.items() if key.startswith(SERVICE_B)) == 1


@pytest.mark.django_db
def test_sessions_page_of_only_a_rejected_service_says_why_it_is_empty(fake, client):
    from tests.verifications.conftest import user_with_role

    Service.objects.create(
        service_id=SERVICE_B,
        name="Typo",
        source="operator",
        rejected_at=timezone.now(),
        rejected_message="Wavix rejected the request (400).",
    )
    client.force_login(user_with_role("vera", "viewer"))

    body = client.get("/sessions/", {"service": SERVICE_B}).content.decode()

    assert "Not synced: Wavix rejects Typo" in body
    assert not fake.calls


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "marked"),
    [(400, True), (403, True), (404, True), (500, False), (429, False), (401, False)],
)
def test_only_answers_about_the_service_itself_mark_it(fake, settings, status, marked):
    # 404 here is not "Sessions not found" (an empty day): Wavix does not know the service.
    service = Service.objects.create(service_id=SERVICE_A, source="operator")
    fake.failing[f"{SERVICE_A} {today()}"] = status

    sync_range(fake.client(), [service], today(), today(), max_workers=1)

    assert (Service.objects.get(pk=service.pk).rejected_at is not None) is marked
