from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dashboard.providers.wavix import Session
from dashboard.verifications.mirror_write import upsert_sessions
from dashboard.verifications.models import MirroredSession, Service

pytestmark = pytest.mark.django_db

CREATED = dt.datetime(2026, 3, 1, 12, 30, 15, tzinfo=dt.UTC)
SYNCED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def session(session_id: str, **fields: object) -> Session:
    values: dict[str, object] = {
        "session_id": session_id,
        "phone_number": "33612345678",
        "destination_country": "fr",
        "status": "pending",
        "charge": Decimal("0.0840"),
        "created_at": CREATED,
    }
    values.update(fields)
    return Session(**values)  # type: ignore[arg-type]


@pytest.fixture
def service() -> Service:
    return Service.objects.create(service_id="svc-a", source="settings")


def test_upsert_keeps_time_charge_country_and_last_four_digits(service):
    upsert_sessions(service, [session("a" * 32)], synced_at=SYNCED)

    row = MirroredSession.objects.get(session_id="a" * 32)
    assert row.created_at == CREATED
    assert row.synced_at == SYNCED
    assert row.charge == Decimal("0.0840")
    assert (row.country, row.phone_last4, row.service_id) == ("FR", "5678", service.pk)


def test_upsert_updates_a_session_whose_status_changed(service):
    upsert_sessions(service, [session("a" * 32)], synced_at=SYNCED)
    upsert_sessions(service, [session("a" * 32, status="verified")], synced_at=SYNCED)

    assert list(MirroredSession.objects.values_list("status", flat=True)) == ["verified"]


def test_upsert_of_a_session_listed_twice_keeps_the_last_listing(service):
    listed = [session("a" * 32), session("b" * 32), session("a" * 32, status="failed")]

    assert upsert_sessions(service, listed, synced_at=SYNCED) == 3

    rows = dict(MirroredSession.objects.values_list("session_id", "status"))
    assert rows == {"a" * 32: "failed", "b" * 32: "pending"}


def test_upsert_of_more_rows_than_one_batch_writes_them_all(service):
    many = [session(f"{i:032x}") for i in range(10_500)]

    upsert_sessions(service, many, synced_at=SYNCED)

    assert MirroredSession.objects.count() == 10_500
