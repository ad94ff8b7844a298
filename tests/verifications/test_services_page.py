from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from dashboard.connections import reset_clients
from dashboard.providers.wavix import WavixClient
from dashboard.sandbox import credentials
from dashboard.verifications.models import Service


def last_seven_days() -> tuple[dt.date, dt.date]:
    today = timezone.now().astimezone(dt.UTC).date()
    return today - dt.timedelta(days=6), today


def test_services_page_lists_each_service_with_its_seven_day_count(socket_providers, viewer_client):
    date_from, date_to = last_seven_days()
    with WavixClient(socket_providers.wavix_url, credentials.WAVIX_API_KEY) as wavix:
        services = wavix.list_services()
        assert services
        expected = {
            s.service_id: len(wavix.list_sessions(s.service_id, date_from, date_to))
            for s in services
        }

    response = viewer_client.get(
        "/", {"range": "custom", "date_from": date_from, "date_to": date_to}
    )

    assert response.status_code == 200
    stats = {s.service.service_id: s for s in response.context["stats"]}
    assert set(stats) == set(expected)
    for service_id, count in expected.items():
        assert stats[service_id].sessions == count
        assert f"{count:,}" in response.content.decode()
    assert sum(expected.values()) > 0
    assert all(s.service.name for s in stats.values())


def test_provider_outage_is_a_sentence_per_service_not_a_500(socket_providers, viewer_client):
    socket_providers.set_fault("503", path_contains="/sessions")

    response = viewer_client.get("/")

    body = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["stats"]) == 3
    assert "could not be refreshed" in body
    assert "Wavix" in body
    assert "Traceback" not in body


def test_viewer_cannot_register_a_service(viewer_client):
    response = viewer_client.post(
        "/services/register/", {"service_id": "0123456789abcdef0123456789abcdef"}
    )
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_operator_registers_a_service_with_dashes_forgiven(socket_providers, operator_client):
    with WavixClient(socket_providers.wavix_url, credentials.WAVIX_API_KEY) as wavix:
        listed = wavix.list_services()
    assert listed
    service_id = listed[0].service_id
    dashed = "-".join(
        (service_id[:8], service_id[8:12], service_id[12:16], service_id[16:20], service_id[20:])
    ).upper()

    response = operator_client.post(
        "/services/register/", {"service_id": dashed, "name": "Legacy"}, follow=True
    )

    assert response.status_code == 200
    # The catalog refresh of the page it lands on may relabel it "listed by the provider".
    registered_by = Service.objects.get(service_id=service_id).registered_by
    assert registered_by is not None
    assert registered_by.username == "otto"
    assert "is now watched" in response.content.decode()


@pytest.mark.parametrize(
    "bad",
    ["", "xyz", "0123456789abcdef0123456789abcdeg", "<script>alert(1)</script>", "' OR 1=1 --"],
)
def test_operator_gets_a_clear_message_for_a_bad_service_id(socket_providers, operator_client, bad):
    response = operator_client.post("/services/register/", {"service_id": bad}, follow=True)
    assert response.status_code == 200
    assert not Service.objects.filter(source="operator").exists()
    body = response.content.decode()
    assert "32 hexadecimal characters" in body or "This field is required" in body
    assert "<script>alert(1)</script>" not in body


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_in_process_sandbox_serves_the_page_and_says_sandbox_data(client, settings):
    settings.WAVIX_BASE_URL = ""
    reset_clients()
    call_command("sandbox_seed", sessions=300, days=10, clients=0, seed=3)
    from tests.verifications.conftest import user_with_role

    client.force_login(user_with_role("ivy", "viewer"))
    response = client.get("/")

    assert response.status_code == 200
    assert "Sandbox data" in response.content.decode()
    assert len(response.context["stats"]) == 3
    assert sum(s.sessions for s in response.context["stats"]) > 0
    reset_clients()
