from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession, Service, SyncWindow
from tests.verifications.fake_wavix import SERVICE_A, FakeWavix

pytestmark = pytest.mark.django_db


@pytest.fixture
def wavix(settings):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A]
    fake = FakeWavix()
    now = timezone.now()
    fake.add(SERVICE_A, "c1".ljust(32, "0"), now - dt.timedelta(days=1))
    fake.add(SERVICE_A, "c2".ljust(32, "0"), now - dt.timedelta(days=500))
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


def test_sync_command_fetches_the_last_days(wavix, capsys):
    call_command("sync", days=3)
    assert "3 window(s) fetched, 1 session(s)" in capsys.readouterr().out
    assert MirroredSession.objects.count() == 1


def test_sync_command_fails_loudly_when_the_provider_does(wavix):
    wavix.fail_with = 503
    with pytest.raises(CommandError, match="failed"):
        call_command("sync", days=2)


def test_sync_command_refuses_an_unknown_service(wavix):
    with pytest.raises(CommandError, match="None of those service IDs"):
        call_command("sync", service=["f" * 32])


def test_purge_deletes_sessions_and_windows_past_retention(wavix):
    today = timezone.now().date()
    call_command("sync", **{"date_from": today - dt.timedelta(days=501), "date_to": today})
    assert MirroredSession.objects.count() == 2

    call_command("purge_mirror", days=400)

    assert list(MirroredSession.objects.values_list("session_id", flat=True)) == [
        "c1".ljust(32, "0")
    ]
    assert not SyncWindow.objects.filter(day__lt=today - dt.timedelta(days=400)).exists()
    assert Service.objects.count() == 1
