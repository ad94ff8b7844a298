"""Registering a service ID: one probe fetch decides, and Wavix's own words explain a refusal."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from dashboard.connections import reset_clients
from dashboard.providers.wavix import WavixClient
from dashboard.sandbox import credentials
from dashboard.verifications.models import Service

UNKNOWN = "0123456789abcdef0123456789abcdef"


def listed_service_id(sandbox) -> str:
    with WavixClient(sandbox.wavix_url, credentials.WAVIX_API_KEY) as wavix:
        listed = wavix.list_services()
    assert listed
    return listed[0].service_id


def test_the_sandbox_answers_an_unknown_service_with_400_and_a_message(sandbox):
    today = f"{timezone.now().astimezone(dt.UTC).date():%Y-%m-%d}"
    with sandbox.wavix() as wavix:
        response = wavix.get(
            f"/v1/two-fa/service/{UNKNOWN}/sessions", params={"from": today, "to": today}
        )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": f"2FA service with ID={UNKNOWN} cannot be found",
    }


def test_an_id_wavix_does_not_know_is_refused_with_its_message(socket_providers, operator_client):
    response = operator_client.post(
        "/services/register/", {"service_id": UNKNOWN, "name": "Typo"}, follow=True
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert f"Service {UNKNOWN} was not registered." in body
    assert f"2FA service with ID={UNKNOWN} cannot be found" in body
    assert not Service.objects.filter(service_id=UNKNOWN).exists()
    # The ID comes back in the form, to be corrected rather than retyped.
    assert response.context["register_id"] == UNKNOWN
    assert f'value="{UNKNOWN}"' in body


def test_an_id_wavix_knows_is_watched(socket_providers, operator_client):
    service_id = listed_service_id(socket_providers)

    response = operator_client.post("/services/register/", {"service_id": service_id})

    assert response.status_code == 302
    service = Service.objects.get(service_id=service_id)
    assert service.source == "operator"
    assert service.registered_by is not None
    assert service.registered_by.username == "otto"
    assert service.syncable


def test_a_provider_outage_during_the_check_registers_nothing(socket_providers, operator_client):
    service_id = listed_service_id(socket_providers)
    socket_providers.set_fault("503")  # the service list too: nothing may add the service

    response = operator_client.post("/services/register/", {"service_id": service_id}, follow=True)

    body = response.content.decode()
    assert "was not registered: Wavix could not be asked" in body
    assert "Try again in a moment" in body
    assert not Service.objects.filter(service_id=service_id).exists()


# The in-process sandbox answers on its own thread: it must see the service committed.
@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_an_empty_but_valid_service_is_watched(client, settings):
    # The in-process sandbox, with a service that has no sessions at all: Wavix answers its
    # sessions list with 404 "Sessions not found", which means the service exists.
    from dashboard.sandbox.models import Service as SandboxService
    from dashboard.sandbox.routers import SANDBOX_DB
    from tests.verifications.conftest import user_with_role

    settings.WAVIX_BASE_URL = ""
    reset_clients()
    empty = SandboxService.objects.using(SANDBOX_DB).create(
        service_id="fe" * 16, name="Quiet", created_at=timezone.now()
    )
    today = f"{timezone.now().astimezone(dt.UTC).date():%Y-%m-%d}"
    client.force_login(user_with_role("otto", "operator"))

    response = client.post("/services/register/", {"service_id": empty.service_id}, follow=True)

    assert "is now watched" in response.content.decode()
    assert Service.objects.get(service_id=empty.service_id).syncable
    # The premise: Wavix's empty answer, not a list.
    with httpx.Client(
        transport=_sandbox_transport(),
        base_url="http://sandbox.internal" + credentials.WAVIX_PREFIX,
    ) as raw:
        reply = raw.get(
            f"/v1/two-fa/service/{empty.service_id}/sessions",
            params={"from": today, "to": today},
            headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
        )
    assert (reply.status_code, reply.json()["message"]) == (404, "Sessions not found")
    reset_clients()


def _sandbox_transport() -> httpx.BaseTransport:
    from dashboard.sandbox.transport import SandboxTransport

    return SandboxTransport()


def test_checking_a_rejected_service_again_lifts_the_mark(socket_providers, operator_client):
    service_id = listed_service_id(socket_providers)
    Service.objects.create(
        service_id=service_id,
        source="operator",
        rejected_at=timezone.now(),
        rejected_message="Wavix refused access (403).",
    )

    response = operator_client.post("/services/register/", {"service_id": service_id})

    assert response.status_code == 302
    assert Service.objects.get(service_id=service_id).rejected_at is None


def test_checking_a_still_rejected_service_updates_its_mark(socket_providers, operator_client):
    Service.objects.create(
        service_id=UNKNOWN,
        source="operator",
        rejected_at=timezone.now() - dt.timedelta(days=1),
        rejected_message="old",
    )

    response = operator_client.post("/services/register/", {"service_id": UNKNOWN}, follow=True)

    assert "Wavix still rejects service" in response.content.decode()
    marked = Service.objects.get(service_id=UNKNOWN)
    assert "cannot be found" in marked.rejected_message
    assert marked.rejected_at is not None
    assert marked.rejected_at > timezone.now() - dt.timedelta(minutes=1)


def test_registering_an_unwatched_service_watches_it_again(socket_providers, operator_client):
    service_id = listed_service_id(socket_providers)
    Service.objects.create(service_id=service_id, source="operator", unwatched_at=timezone.now())

    operator_client.post("/services/register/", {"service_id": service_id})

    assert Service.objects.get(service_id=service_id).unwatched_at is None


def test_a_refused_registration_is_audited_with_wavixs_answer(socket_providers, operator_client):
    from dashboard.audit.models import AuditRecord

    operator_client.post("/services/register/", {"service_id": "ab" * 16})

    entry = AuditRecord.objects.get(action="service.register")
    assert (entry.outcome, entry.targets) == ("failed", ["ab" * 16])
    assert "cannot be found" in entry.provider_message
