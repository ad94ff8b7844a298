"""The provider calls one request makes share one PROVIDER_DEADLINE (provider_deadline.py)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.utils import timezone

from dashboard.connections import reset_clients
from dashboard.verifications.actions.once import new_key
from dashboard.verifications.models import MirroredSession, Service
from tests.slow_server import SlowServer, headers_dribbled, no_proxies, running
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db

DEADLINE = 2.0
SESSION = "fedcba9876543210fedcba9876543210"


@pytest.fixture
def dribbling_wavix(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowServer]:
    no_proxies(monkeypatch)
    with running(headers_dribbled, interval=0.2) as server:
        settings.WAVIX_BASE_URL = server.url
        settings.WAVIX_API_KEY = "test-key"
        settings.PROVIDER_DEADLINE = DEADLINE
        settings.PROVIDER_READ_TIMEOUT = 15.0  # only the deadline ends a dribble
        reset_clients()
        yield server
        reset_clients()


def pending_session() -> MirroredSession:
    service = Service.objects.create(
        service_id="0123456789abcdef0123456789abcdef", source="settings"
    )
    now = timezone.now()
    return MirroredSession.objects.create(
        session_id=SESSION,
        service=service,
        created_at=now,
        phone_number="447911123456",
        phone_last4="3456",
        country="GB",
        status="pending",
        charge=Decimal("0.05"),
        synced_at=now,
    )


def test_a_cancel_and_its_read_back_share_one_deadline(dribbling_wavix: SlowServer) -> None:
    pending_session()
    operator = Client()
    operator.force_login(user_with_role("otto", "operator"))

    started = time.monotonic()
    response = operator.post(
        f"/sessions/{SESSION}/cancel/", {"reason": "user_request", "key": new_key()}
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 303
    # Two thirds of the deadline for the cancel, the rest for reading the session back: with
    # a deadline each, the request took two.
    assert dribbling_wavix.connections == 2
    assert elapsed < DEADLINE + 1.5
    page = unescape(operator.get(response["Location"]).content.decode())
    assert re.search(
        r"Unknown: Wavix answered “Wavix did not answer within 1\.3 s\.” and the session could "
        r"not be read back \(Wavix did not answer within 0\.[5-7] s\.\)",
        page,
    )
