"""Stopping watching a service: a confirmation, keep or purge, never a configured one."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession, Service, SyncWindow
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db


@pytest.fixture
def wavix(settings):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A]
    fake = FakeWavix()
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


def held(service: Service, count: int) -> None:
    now = timezone.now()
    for i in range(count):
        MirroredSession.objects.create(
            session_id=f"{service.service_id[:2]}{i}".ljust(32, "0"),
            service=service,
            created_at=now - dt.timedelta(hours=i + 1),
            phone_number="447911123456",
            phone_last4="3456",
            country="GB",
            status="verified",
            charge=Decimal("0.05"),
            synced_at=now,
        )
    SyncWindow.objects.create(service=service, day=now.date(), fetched_at=now)


@pytest.fixture
def typo(wavix):
    service = Service.objects.create(service_id=SERVICE_B, name="Typo", source="operator")
    held(service, 3)
    return service


@pytest.fixture
def operator(client):
    client.force_login(user_with_role("otto", "operator"))
    return client


def test_confirmation_page_asks_first_and_changes_nothing(typo, operator):
    response = operator.get(f"/services/{SERVICE_B}/unwatch/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="sessions" value="keep" checked' in body
    assert 'value="purge"' in body
    assert response.context["held"] == 3
    assert Service.objects.get(pk=typo.pk).unwatched_at is None


def test_unwatch_keeping_sessions_stops_syncing_and_keeps_them(typo, operator, wavix, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.verifications.service_catalog")

    response = operator.post(f"/services/{SERVICE_B}/unwatch/", {"sessions": "keep"})

    assert response.status_code == 302
    service = Service.objects.get(pk=typo.pk)
    assert service.unwatched_at is not None
    assert service.unwatched_by is not None
    assert service.unwatched_by.username == "otto"
    assert MirroredSession.objects.filter(service=service).count() == 3
    assert [r.getMessage() for r in caplog.records if "unwatched" in r.getMessage()] == [
        f"service {SERVICE_B} unwatched by otto: sessions kept (0 sessions, 0 windows deleted)"
    ]
    page = operator.get("/")
    assert [s.service.service_id for s in page.context["stats"]] == [SERVICE_A]
    assert not [key for key in wavix.calls if key.startswith(SERVICE_B)]
    sessions = operator.get("/sessions/", {"service": SERVICE_B})
    assert len(sessions.context["rows"]) == 3


def test_unwatch_purging_sessions_deletes_them_and_its_windows_only(typo, operator, caplog):
    caplog.set_level(logging.INFO, logger="dashboard.verifications.service_catalog")
    other = Service.objects.create(service_id="c" * 32, source="operator")
    held(other, 2)

    response = operator.post(f"/services/{SERVICE_B}/unwatch/", {"sessions": "purge"})

    assert response.status_code == 302
    assert not MirroredSession.objects.filter(service=typo).exists()
    assert not SyncWindow.objects.filter(service=typo).exists()
    assert MirroredSession.objects.filter(service=other).count() == 2
    assert Service.objects.get(pk=typo.pk).unwatched_at is not None
    assert any(
        "unwatched by otto: sessions purged (3 sessions, 1 windows deleted)" in r.getMessage()
        for r in caplog.records
    )


def test_a_settings_service_cannot_be_unwatched_and_the_page_says_why(wavix, operator):
    configured = Service.objects.create(service_id=SERVICE_A, source="settings")

    page = operator.get(f"/services/{SERVICE_A}/unwatch/")
    refused = operator.post(f"/services/{SERVICE_A}/unwatch/", {"sessions": "purge"})

    assert page.status_code == 200
    assert "WAVIX_SERVICE_IDS" in page.content.decode()
    assert 'name="sessions"' not in page.content.decode()
    assert refused.status_code == 409
    assert Service.objects.get(pk=configured.pk).unwatched_at is None


def test_a_viewer_cannot_unwatch(typo, client):
    client.force_login(user_with_role("vera", "viewer"))

    assert client.get(f"/services/{SERVICE_B}/unwatch/").status_code == 403
    assert client.post(f"/services/{SERVICE_B}/unwatch/", {"sessions": "purge"}).status_code == 403
    assert Service.objects.get(pk=typo.pk).unwatched_at is None
    assert MirroredSession.objects.filter(service=typo).count() == 3


@pytest.mark.parametrize("bad", ["nope", "<script>", "f" * 32])
def test_an_unknown_service_is_a_404(wavix, operator, bad):
    assert operator.get(f"/services/{bad}/unwatch/").status_code == 404


def test_a_missing_choice_asks_again_and_changes_nothing(typo, operator):
    response = operator.post(f"/services/{SERVICE_B}/unwatch/", {"sessions": "everything"})

    assert response.status_code == 200
    assert "Choose whether to keep or delete" in response.content.decode()
    assert Service.objects.get(pk=typo.pk).unwatched_at is None


def test_services_page_offers_stop_watching_except_for_configured_services(typo, operator):
    Service.objects.create(service_id=SERVICE_A, source="settings")

    body = operator.get("/").content.decode()

    assert f'href="/services/{SERVICE_B}/unwatch/"' in body
    assert f'href="/services/{SERVICE_A}/unwatch/"' not in body
    assert "set in WAVIX_SERVICE_IDS" in body


def test_adding_an_unwatched_service_to_the_setting_watches_it_again(wavix, operator):
    Service.objects.create(service_id=SERVICE_A, source="operator", unwatched_at=timezone.now())

    operator.get("/")

    assert Service.objects.get(service_id=SERVICE_A).unwatched_at is None


def test_unwatching_is_audited_with_the_choice(typo, operator):
    from dashboard.audit.models import AuditRecord

    operator.post(f"/services/{typo.service_id}/unwatch/", {"sessions": "purge"})

    entry = AuditRecord.objects.get(action="service.unwatch")
    assert (entry.outcome, entry.targets, entry.reason) == (
        "success",
        [typo.service_id],
        "purge its sessions",
    )
