"""The in-process transport: real HTTP semantics through Django's handler, no socket."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from django.core.signals import request_finished, request_started
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.urls import get_urlconf, reverse, set_urlconf

from dashboard.providers.errors import Unavailable
from dashboard.providers.http import ProviderHTTP, Timeouts
from dashboard.sandbox import credentials
from dashboard.sandbox.seed import seed_wavix
from dashboard.sandbox.transport import WORKER_NAME, SandboxTransport

# "default" too: Django orders test databases after it (TEST["DEPENDENCIES"]). Transactions
# committed: the sandbox answers on a thread of its own, which cannot see a test's open one.
pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)


def join_workers() -> None:
    for thread in threading.enumerate():
        if thread.name == WORKER_NAME:
            thread.join(timeout=30)


@pytest.fixture(autouse=True)
def _workers_done():
    # A request the caller gave up on still runs: let it end before the tables are flushed.
    yield
    join_workers()


@pytest.fixture
def wavix():
    seed_wavix(seed=5, sessions=200, days=2, now=datetime.now(UTC))
    with httpx.Client(
        transport=SandboxTransport(),
        base_url="http://sandbox.internal" + credentials.WAVIX_PREFIX,
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
    ) as client:
        yield client


@pytest.fixture
def login_service(wavix) -> str:
    return str(wavix.get("/v1/two-fa/service").json()["items"][0]["uuid"]).replace("-", "")


def test_a_request_round_trips_with_status_headers_and_body(wavix):
    response = wavix.get("/v1/two-fa/service", params={"per_page": 2})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["pagination"]["limit"] == 2


def test_the_host_name_is_any_and_appears_in_session_urls(wavix, login_service):
    body = {"service_id": login_service, "to": "447400123456", "channel": "sms"}

    created = wavix.post("/v1/two-fa/verification", json=body).json()

    assert created["session_url"].startswith("http://sandbox.internal/sandbox/wavix/v1/")


def test_request_bodies_and_query_strings_reach_the_view(wavix, login_service):
    today = datetime.now(UTC).date().isoformat()

    response = wavix.get(
        f"/v1/two-fa/service/{login_service}/sessions", params={"from": today, "to": today}
    )

    assert response.status_code == 200
    assert all(row["created_at"].startswith(today) for row in response.json())


def test_errors_come_back_as_responses_not_exceptions(wavix):
    response = wavix.get("/v1/two-fa/service", headers={"Authorization": "Bearer wrong"})

    assert response.status_code == 401
    assert response.json()["error"] is True


def test_no_request_signals_are_sent(wavix):
    # Their receivers would close the caller's database connections mid-request.
    seen: list[str] = []

    def started(**kwargs):
        seen.append("started")

    def finished(**kwargs):
        seen.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        wavix.get("/v1/two-fa/service")
        with wavix.stream("GET", "/v1/two-fa/service", headers={"X-Sandbox-Fault": "drip=0"}) as r:
            r.read()
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)

    assert seen == []


def test_a_dripped_body_streams_byte_by_byte(wavix):
    with wavix.stream("GET", "/v1/two-fa/service", headers={"X-Sandbox-Fault": "drip=0"}) as r:
        chunks = list(r.iter_raw())

    assert len(chunks) > 100
    assert {len(chunk) for chunk in chunks} == {1}


def test_a_dropped_connection_raises_what_httpx_raises_for_a_socket(wavix):
    with pytest.raises(httpx.RemoteProtocolError):
        wavix.get("/v1/two-fa/service", headers={"X-Sandbox-Fault": "drop"})


def test_the_cancel_204_setting_answers_no_content(wavix, login_service, settings):
    settings.SANDBOX_WAVIX_CANCEL_204 = True  # the older guide's variant
    body = {"service_id": login_service, "to": "447400123456", "channel": "sms"}
    session_id = wavix.post("/v1/two-fa/verification", json=body).json()["session_id"]

    response = wavix.patch(f"/v1/two-fa/verification/{session_id}/cancel")

    assert (response.status_code, response.content) == (204, b"")


def timed_failure(fault: str, deadline: float) -> tuple[Unavailable, float]:
    http = ProviderHTTP(
        "wavix",
        "http://sandbox.internal" + credentials.WAVIX_PREFIX,
        transport=SandboxTransport(),
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}", "X-Sandbox-Fault": fault},
        timeouts=Timeouts(connect=1.0, read=10.0, deadline=deadline),
    )
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        http.request("GET", "/v1/two-fa/service", retry=True)
    elapsed = time.monotonic() - started
    http.close()
    print(f"{fault}: ended after {elapsed:.2f} s (deadline {deadline:g} s)")
    return caught.value, elapsed


@pytest.mark.usefixtures("wavix")
def test_a_latency_longer_than_the_deadline_ends_at_the_deadline():
    error, elapsed = timed_failure("latency=3.5", deadline=2.0)

    assert str(error) == "Wavix did not answer within 2 s."
    assert 1.9 < elapsed < 3.0


@pytest.mark.usefixtures("wavix")
def test_a_body_dripped_with_gaps_under_the_deadline_ends_at_the_deadline():
    # A byte every 1.8 s: checking the clock between chunks alone would end this at 3.6 s.
    error, elapsed = timed_failure("drip=1.8", deadline=2.0)

    assert str(error) == "Wavix did not answer within 2 s."
    assert 1.9 < elapsed < 3.0


def test_the_handler_thread_closes_its_own_database_connections(wavix):
    opened: list[tuple[str, BaseDatabaseWrapper]] = []

    def note(sender, connection, **kwargs):
        opened.append((threading.current_thread().name, connection))

    connection_created.connect(note)
    try:
        assert wavix.get("/v1/two-fa/service").status_code == 200
        join_workers()
    finally:
        connection_created.disconnect(note)

    in_worker = [connection for name, connection in opened if name == WORKER_NAME]
    assert in_worker, "the sandbox should have read its tables on its own thread"
    assert all(connection.connection is None for connection in in_worker)


@pytest.fixture
def dashboard_thread():
    """This thread as in a dashboard request: its URLconf set, as Django's handler sets it."""
    set_urlconf("dashboard.urls")
    yield "dashboard.urls"
    set_urlconf(None)


def test_a_dashboard_reverse_works_right_after_a_sandbox_call(wavix, dashboard_thread):
    # A dashboard view calls the sandbox, then renders its own {% url %}s in the same thread.
    wavix.get("/v1/two-fa/service")
    with wavix.stream("GET", "/v1/two-fa/service", headers={"X-Sandbox-Fault": "drip=0"}) as r:
        r.read()

    assert get_urlconf() == dashboard_thread
    assert reverse("verifications:sessions") == "/sessions/"


def test_the_thread_urlconf_is_restored_after_a_dropped_connection(wavix, dashboard_thread):
    with pytest.raises(httpx.RemoteProtocolError):
        wavix.get("/v1/two-fa/service", headers={"X-Sandbox-Fault": "drop"})

    assert get_urlconf() == dashboard_thread


def test_the_transport_serves_no_dashboard_page(wavix):
    # Routed through the sandbox's own URLconf: the dashboard's pages are not there.
    for path in ("/", "/sessions/", "/accounts/login/", "/admin/login/"):
        assert wavix.get("http://sandbox.internal" + path).status_code == 404
