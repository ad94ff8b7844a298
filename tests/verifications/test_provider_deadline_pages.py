"""Pages answer within the provider deadline when Wavix sends its headers a byte a second."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dashboard.connections import reset_clients
from dashboard.providers.http import ProviderHTTP, Reply
from tests.slow_server import SlowServer, headers_dribbled, no_proxies, running

pytestmark = pytest.mark.django_db

DEADLINE = 2.0
SERVICE = "0123456789abcdef0123456789abcdef"
# The page makes two provider calls in turn: the service list, then the first window it needs
# (the others are skipped once Wavix is seen down).
CALLS = 2
# Wall time beyond the calls is CPU time, which a loaded test machine stretches several-fold
# (the rule: speed targets live in bench/). Without the deadline the page waits for hours.
PAGE_BOUND = 30.0


@pytest.fixture
def dribbling_wavix(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowServer]:
    no_proxies(monkeypatch)
    with running(headers_dribbled, interval=1.0) as server:
        settings.WAVIX_BASE_URL = server.url
        settings.WAVIX_API_KEY = "test-key"
        settings.WAVIX_SERVICE_IDS = [SERVICE]
        settings.PROVIDER_DEADLINE = DEADLINE
        settings.PROVIDER_READ_TIMEOUT = 15.0  # longer than the deadline, as by default
        # A page budget above two deadlines: each of the page's calls is cut by the provider
        # deadline itself, which is what these tests are about.
        settings.MIRROR_PAGE_SYNC_BUDGET = 10.0
        reset_clients()
        yield server
        reset_clients()


@pytest.fixture
def call_seconds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """How long each provider call the page made took."""
    seconds: list[float] = []
    real = ProviderHTTP.request

    def timed(self: ProviderHTTP, *args: Any, **kwargs: Any) -> Reply:
        started = time.monotonic()
        try:
            return real(self, *args, **kwargs)
        finally:
            seconds.append(time.monotonic() - started)

    monkeypatch.setattr(ProviderHTTP, "request", timed)
    return seconds


def timed_get(client: Client, path: str, params: dict[str, str], calls: list[float]) -> str:
    started = time.monotonic()
    response = client.get(path, params)
    elapsed = time.monotonic() - started
    took = ", ".join(f"{c:.2f}" for c in calls)
    print(f"{path} answered {response.status_code} in {elapsed:.2f} s; provider calls {took} s")
    assert response.status_code == 200
    assert len(calls) == CALLS  # the first window failed, the rest were skipped
    assert all(c < DEADLINE + 1.0 for c in calls)
    assert elapsed < PAGE_BOUND
    return response.content.decode()


def test_services_page_answers_within_the_deadline_and_says_why(
    dribbling_wavix: SlowServer, call_seconds: list[float], viewer_client: Client
) -> None:
    body = timed_get(viewer_client, "/", {"range": "7d"}, call_seconds)

    assert "The service list could not be read: Wavix did not answer within 2 s." in body
    assert "<strong>Wavix did not answer within 2 s.</strong>" in body


def test_one_day_sessions_page_answers_within_the_deadline_and_says_why(
    dribbling_wavix: SlowServer, call_seconds: list[float], viewer_client: Client
) -> None:
    today = timezone.now().astimezone(dt.UTC).date().isoformat()

    body = timed_get(
        viewer_client,
        "/sessions/",
        {"range": "custom", "date_from": today, "date_to": today},
        call_seconds,
    )

    assert "<strong>Wavix did not answer within 2 s.</strong>" in body
    assert "could not be refreshed" in body
