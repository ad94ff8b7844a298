from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession, SessionEvent
from tests.audit.conftest import add as add_audit
from tests.card_cells import assert_cards_labelled
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db

ENDED = "e1".ljust(32, "0")
PENDING = "d1".ljust(32, "0")
OLDER_SAME_NUMBER = "e2".ljust(32, "0")
OTHER_NUMBER = "e3".ljust(32, "0")


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def wavix(settings, now):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    started = now - dt.timedelta(minutes=2)
    fake.add(SERVICE_A, ENDED, started, phone="447911123456", status="verified")
    fake.add_event(ENDED, started, "Number lookup", charge="0.0050")
    fake.add_event(
        ENDED, started + dt.timedelta(seconds=1), "Code sent via SMS", status="delivered"
    )
    fake.add_event(
        ENDED,
        started + dt.timedelta(seconds=40),
        "Verification",
        status="failed",
        error="Invalid code",
    )
    fake.add_event(ENDED, started + dt.timedelta(seconds=75), "Verification")
    fake.add(SERVICE_A, PENDING, now - dt.timedelta(minutes=1), phone="33612345678", country="FR",
             status="pending")  # fmt: skip
    fake.add_event(PENDING, now - dt.timedelta(minutes=1), "Code sent via voice", status="pending")
    fake.add(SERVICE_B, OLDER_SAME_NUMBER, now - dt.timedelta(hours=1), phone="447911123456")
    fake.add(SERVICE_B, OTHER_NUMBER, now - dt.timedelta(hours=1), phone="447700900123")
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


@pytest.fixture
def viewer(client, wavix):
    client.force_login(user_with_role("vera", "viewer"))
    client.get("/sessions/?range=today")  # fills the mirror, as an operator would
    return client


@pytest.fixture
def auditor(client, wavix):
    client.force_login(user_with_role("aud", "auditor"))
    client.get("/sessions/?range=today")
    return client


def _steps(html: str) -> list[str]:
    return re.findall(r'class="step step-(\w+)"', html)


def test_session_page_shows_the_timeline_oldest_first(viewer):
    response = viewer.get(f"/sessions/{ENDED}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert _steps(html) == ["lookup", "sms", "check", "check"]
    assert "Invalid code" in html
    assert "+39 s after the previous step" in html
    assert "Codes sent</dt><dd>1 / 5" in html
    assert "Checks</dt><dd>2 / 5" in html


def test_timeline_of_an_ended_session_is_fetched_once_then_read_from_the_database(viewer, wavix):
    viewer.get(f"/sessions/{ENDED}/")
    second = viewer.get(f"/sessions/{ENDED}/")

    assert wavix.calls[f"events {ENDED}"] == 1
    assert _steps(second.content.decode()) == ["lookup", "sms", "check", "check"]
    assert "stored and final" in second.content.decode()


def test_timeline_of_a_pending_session_is_fetched_each_time_it_is_opened(viewer, wavix, now):
    viewer.get(f"/sessions/{PENDING}/")
    wavix.add_event(PENDING, now, "Verification", status="failed", error="Invalid code")
    second = viewer.get(f"/sessions/{PENDING}/")

    assert wavix.calls[f"events {PENDING}"] == 2
    assert _steps(second.content.decode()) == ["voice", "check"]


def test_pending_session_shows_the_time_left_on_its_current_code(viewer):
    html = viewer.get(f"/sessions/{PENDING}/").content.decode()

    # Sent a minute ago; a code lives five minutes.
    assert re.search(r"expires in [34] min \d\d s", html)


def test_provider_failure_shows_what_is_held_and_says_why(viewer, wavix, now):
    viewer.get(f"/sessions/{PENDING}/")
    wavix.events_fail_with = 502

    response = viewer.get(f"/sessions/{PENDING}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The timeline could not be refreshed" in html
    assert "(502)" in html
    assert _steps(html) == ["voice"]


def test_viewer_sees_the_number_masked_and_no_link_that_carries_it(viewer):
    html = viewer.get(f"/sessions/{ENDED}/").content.decode()

    assert "447911123456" not in html
    assert "7911 123456" not in html
    assert "+44 7•••" in html


def test_auditor_sees_the_number_linked_to_its_sessions(auditor):
    html = auditor.get(f"/sessions/{ENDED}/").content.decode()

    assert "+44 7911 123456" in html
    assert "/sessions/?phone=%2B447911123456&amp;range=90d" in html


def test_other_sessions_for_the_number_are_listed_across_services(viewer):
    html = viewer.get(f"/sessions/{ENDED}/").content.decode()

    assert f'href="/sessions/{OLDER_SAME_NUMBER}/"' in html
    assert OTHER_NUMBER not in html
    assert "Payments" in html


def test_unknown_session_is_a_404_that_says_why(viewer):
    response = viewer.get(f"/sessions/{'f' * 32}/")

    assert response.status_code == 404


def test_malformed_session_id_is_a_404(viewer):
    assert viewer.get("/sessions/not-a-session/").status_code == 404
    assert viewer.get("/sessions/" + "g" * 32 + "/").status_code == 404


def test_upper_case_session_id_opens_the_session(viewer):
    assert viewer.get(f"/sessions/{ENDED.upper()}/").status_code == 200


def test_htmx_request_gets_the_side_panel_only(viewer):
    response = viewer.get(
        f"/sessions/{ENDED}/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sessions/?range=today"},
    )

    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith('<article id="panel"')
    assert 'href="/sessions/?range=today"' in html  # Close returns to the list
    assert "HX-Request" in response["Vary"]


def test_close_link_never_points_off_site(viewer):
    response = viewer.get(
        f"/sessions/{ENDED}/",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/sessions/"},
    )

    assert 'href="https://evil.example' not in response.content.decode()


def test_sessions_list_links_each_session_to_its_page(viewer):
    html = viewer.get("/sessions/?range=today").content.decode()

    assert f'href="/sessions/{ENDED}/" hx-get="/sessions/{ENDED}/"' in html
    assert 'id="panel-host"' in html


def test_stored_events_go_with_their_session_when_it_is_purged(viewer):
    viewer.get(f"/sessions/{ENDED}/")
    assert SessionEvent.objects.filter(session_id=ENDED).count() == 4

    MirroredSession.objects.filter(session_id=ENDED).delete()

    assert not SessionEvent.objects.filter(session_id=ENDED).exists()


def test_anonymous_visitor_is_sent_to_sign_in(client, wavix):
    response = client.get(f"/sessions/{ENDED}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_send_wavix_refused_is_not_counted_as_a_code_sent(viewer, wavix, now):
    wavix.add_event(PENDING, now, "Code sent via SMS", status="failed", error="Limit reached")

    html = viewer.get(f"/sessions/{PENDING}/").content.decode()

    assert "Codes sent</dt><dd>1 / 5" in html
    assert "Limit reached" in html


def test_the_session_pages_card_cells_carry_their_column_labels(viewer):
    add_audit("cancel", (ENDED,), reason="duplicate")

    html = viewer.get(f"/sessions/{ENDED}/").content.decode()

    history = assert_cards_labelled(html, "history")
    assert history.headers == ["When", "Who", "Action", "Outcome", "Reason"]
    same_number = assert_cards_labelled(html, "same-number")
    assert same_number.headers == ["Created", "Service", "Status", "Session"]
