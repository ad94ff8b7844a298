"""Every time on the Wavix pages names its zone beside it, with UTC on hover, and the CSV
names the zone of its local times (dashboard/times.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboard.accounts.models import Preference
from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import BulkCancel, MirroredSession, Service
from tests.times_helpers import assert_every_time_names
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db

ENDED = "e1".ljust(32, "0")
PENDING = "d1".ljust(32, "0")
# No daylight saving, and no letters in the zone database: its times read "UTC+4".
DUBAI = "UTC+4"


@pytest.fixture
def wavix(settings):
    now = timezone.now().replace(microsecond=0)
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    started = now - dt.timedelta(minutes=3)
    fake.add(SERVICE_A, ENDED, started, status="verified")
    fake.add_event(ENDED, started, "Number lookup", charge="0.0050")
    fake.add_event(ENDED, started + dt.timedelta(seconds=1), "Code sent via SMS")
    fake.add_event(ENDED, started + dt.timedelta(seconds=40), "Verification")
    fake.add(SERVICE_B, PENDING, now - dt.timedelta(minutes=1), status="pending")
    fake.add_event(PENDING, now - dt.timedelta(minutes=1), "Code sent via voice", status="pending")
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


def in_dubai(client, role: str) -> User:
    user = user_with_role(f"{role}-dubai", role)
    Preference.objects.create(user=user, time_zone="Asia/Dubai")
    client.force_login(user)
    client.get("/sessions/?range=today")  # fills the mirror, as an operator would
    return user


def test_the_sessions_list_names_the_zone_on_every_row(wavix, client):
    in_dubai(client, "viewer")

    html = client.get("/sessions/?range=today").content.decode()

    # Two rows and the "Synced from Wavix at" line.
    assert_every_time_names(html, DUBAI, at_least=3)


def test_the_session_page_names_the_zone_on_every_time(wavix, client):
    in_dubai(client, "viewer")

    html = client.get(f"/sessions/{ENDED}/").content.decode()

    # Created, and the three steps of the timeline.
    assert_every_time_names(html, DUBAI, at_least=4)


def test_the_cancel_form_names_the_zone_of_the_session_it_cancels(wavix, client):
    in_dubai(client, "operator")

    html = client.get(f"/sessions/{PENDING}/cancel/").content.decode()

    assert_every_time_names(html, DUBAI, at_least=1)


def test_the_services_page_names_the_zone_of_each_last_activity(wavix, client):
    in_dubai(client, "viewer")

    html = client.get("/?range=today").content.decode()

    assert_every_time_names(html, DUBAI, at_least=2)


def test_the_bulk_page_names_the_zone_of_when_it_was_made(wavix, client):
    in_dubai(client, "operator")
    bulk = BulkCancel.objects.create(created_by_username="otto", selection="1 selected row")

    html = client.get(f"/bulk/{bulk.pk}/").content.decode()

    assert_every_time_names(html, DUBAI, at_least=1)


def test_the_csv_names_the_zone_of_its_local_times(wavix, client):
    in_dubai(client, "auditor")

    response = client.get("/sessions/export.csv?range=today")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, *lines = rows
    assert header[2] == "created_at_local"
    assert header[-1] == "local_zone"
    assert len(lines) == MirroredSession.objects.count() == 2
    for line in lines:
        created = dt.datetime.fromisoformat(line[1].replace("Z", "+00:00"))
        assert line[2] == (created + dt.timedelta(hours=4)).strftime("%Y-%m-%d %H:%M:%S")
        assert line[-1] == "Asia/Dubai UTC+04:00"


def test_the_sessions_period_says_whose_days_its_dates_are(wavix, client):
    in_dubai(client, "viewer")

    html = client.get("/sessions/?range=today").content.decode()

    assert (
        '<span class="hint dates-zone" id="period-zone">Days in Asia/Dubai (UTC+4)</span>' in html
    )
    assert html.count('aria-describedby="period-zone"') == 2  # From and To
    assert '<span class="hint" id="jump-zone">Days in Asia/Dubai (UTC+4)</span>' in html


def test_the_services_dates_say_whose_days_they_are(wavix, client):
    in_dubai(client, "viewer")

    html = client.get("/?range=today").content.decode()

    assert '<span class="hint dates-zone" id="dates-zone">Days in Asia/Dubai (UTC+4)</span>' in html
    assert html.count('aria-describedby="dates-zone"') == 2


def test_the_day_a_service_stopped_being_watched_is_the_operators_day_and_says_so(wavix, client):
    in_dubai(client, "viewer")
    # 22:30 UTC on 2 Mar is 02:30 on 3 Mar in Dubai: the operator's day is the 3rd.
    Service.objects.filter(service_id=SERVICE_B).update(
        unwatched_at=dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC)
    )

    html = client.get("/?range=today").content.decode()

    assert (
        'stopped <time datetime="2026-03-03T02:30:00+04:00" title="2026-03-02 22:30:00 UTC">'
        '3 Mar 2026\xa0<span class="tz">UTC+4</span></time>' in html
    )


def test_the_services_charts_say_plainly_that_their_days_are_utc_days(wavix, client):
    in_dubai(client, "viewer")

    html = client.get("/?range=7d").content.decode()

    assert "These are UTC days, not Asia/Dubai days as in the period above." in html
    assert html.count('<span class="muted">in UTC days</span></figcaption>') == 2


def test_an_operator_in_utc_is_not_told_the_charts_days_differ(wavix, client):
    client.force_login(user_with_role("utc-viewer", "viewer"))
    client.get("/sessions/?range=today")

    html = client.get("/?range=7d").content.decode()

    assert "These are UTC days" not in html
    assert '<span class="muted">in UTC days</span></figcaption>' in html
