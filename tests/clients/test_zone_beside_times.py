"""Every time on the client pages and the 2FA changes feed names its zone beside it, with
UTC on hover, and the feed's CSV names the zone of its local times (dashboard/times.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from dashboard.accounts.models import Preference
from dashboard.clients.models import ClientChange, ClientSyncState
from tests.times_helpers import assert_every_time_names
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db
# No daylight saving: its times always read IST.
KOLKATA = "IST"


def in_kolkata(client, role: str):
    user = user_with_role(f"{role}-kolkata", role)
    Preference.objects.create(user=user, time_zone="Asia/Kolkata")
    client.force_login(user)
    return client


@pytest.fixture
def history(direct) -> tuple[str, int]:
    """A sandbox client with a change history, and its newest change."""
    for candidate in direct.iter_clients(sort_order="asc"):
        changes = direct.list_changes(candidate.id, limit=1).items
        if changes and candidate.create_time:
            return candidate.id, int(changes[0].id)
    pytest.fail("no seeded client has any 2FA history")


def test_the_clients_list_names_the_zone_of_each_creation(client, b2core):
    in_kolkata(client, "viewer")

    html = client.get("/clients/").content.decode()

    assert_every_time_names(html, KOLKATA, at_least=10)


def test_the_client_page_names_the_zone_of_its_creation_and_every_change(client, b2core, history):
    client_id, _ = history
    in_kolkata(client, "viewer")

    html = client.get(f"/clients/{client_id}/").content.decode()

    assert_every_time_names(html, KOLKATA, at_least=2)
    # The history's From and To are read in the operator's zone: their labels say which.
    assert html.count('<span class="hint">in Asia/Kolkata</span>') == 2


def test_the_change_drawer_names_the_zone_of_its_time(client, b2core, history):
    client_id, change_id = history
    in_kolkata(client, "viewer")

    html = client.get(
        f"/clients/{client_id}/changes/{change_id}/", headers={"HX-Request": "true"}
    ).content.decode()

    assert_every_time_names(html, KOLKATA, at_least=1)


def add_change(change_id: int, ago: dt.timedelta) -> ClientChange:
    now = timezone.now().replace(microsecond=0)
    return ClientChange.objects.create(
        client_id="c1", change_id=change_id, provider="sms", is_enabled=False,
        time=now - ago, synced_at=now,
    )  # fmt: skip


def test_the_feed_names_the_zone_of_every_change_and_of_its_last_sync(client):
    add_change(1, dt.timedelta(hours=1))
    add_change(2, dt.timedelta(hours=2))
    ClientSyncState.objects.create(client_id="c1", synced_at=timezone.now())
    in_kolkata(client, "auditor")

    html = client.get("/clients/feed/").content.decode()

    assert_every_time_names(html, KOLKATA, at_least=3)


def test_the_feed_csv_names_the_zone_of_its_local_times(client):
    change = add_change(1, dt.timedelta(hours=1))
    in_kolkata(client, "auditor")

    response = client.get("/clients/feed/export.csv")

    header, line = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[0] == "time_utc"
    assert header[-2:] == ["time_local", "local_zone"]
    local = change.time + dt.timedelta(hours=5, minutes=30)
    assert line[-2:] == [local.strftime("%Y-%m-%d %H:%M:%S"), "Asia/Kolkata UTC+05:30"]
