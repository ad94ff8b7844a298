from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dashboard.connections import wavix_client
from dashboard.verifications.models import MirroredSession, Service, SyncWindow
from dashboard.verifications.service_catalog import refresh_catalog
from dashboard.verifications.sync import sync_window
from tests.browser.test_sessions_filters import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_page_shows_a_day_fetched_elsewhere_by_itself_when_it_lands(
    live_server, page, socket_providers, screenshot
):
    today = timezone.now().astimezone(dt.UTC).date()
    refresh_catalog(wavix_client())
    services = list(Service.objects.all())
    for service in services:  # what `manage.py sync` leaves while it fetches today
        SyncWindow.objects.create(
            service=service,
            day=today,
            lease_owner="manage-py-sync",
            lease_until=timezone.now() + dt.timedelta(seconds=60),
        )

    sign_in(page, live_server)
    note = page.locator("#fetching-note")
    assert f"Fetching 1 day from Wavix: {today:%-d %b}" in note.inner_text()
    screenshot("sessions-fetching")
    page.evaluate("window.notReloaded = true")

    SyncWindow.objects.filter(day=today).update(lease_owner="", lease_until=None)
    for service in services:
        assert sync_window(wavix_client(), service, today).fetched

    note.wait_for(state="detached", timeout=10_000)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#results[hx-trigger]").count() == 0
    shown = page.locator(".results-head .count strong").inner_text().replace(",", "")
    week = MirroredSession.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=7))
    assert int(shown) in range(week.count() - 5, week.count() + 1)  # the week moved on a bit
