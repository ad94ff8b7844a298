"""The clients feed page over our mirror: filters, paging, CSV, freshness, roles."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from dashboard.accounts.models import Preference
from dashboard.clients.models import ClientChange, ClientListSync, ClientSyncState
from tests.card_cells import assert_cards_labelled
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(f"{role}-user", role))
    return client


@pytest.fixture
def auditor() -> Client:
    return signed_in("auditor")


def add(change_id: int, *, ago: dt.timedelta, client: str = "c1", **fields: object) -> None:
    values: dict[str, object] = {
        "provider": "google",
        "is_enabled": True,
        "extra": {},
        "rapid_toggle": False,
        **fields,
    }
    ClientChange.objects.create(
        client_id=client, change_id=change_id, time=NOW - ago, synced_at=NOW, **values
    )


def ids(response) -> list[int]:
    assert response.status_code == 200
    ids_by_client = {
        (c.client_id, c.time.isoformat()): c.change_id for c in ClientChange.objects.all()
    }
    return [
        ids_by_client[(row["client"][0], dt.datetime.fromisoformat(row["when"][0].iso).isoformat())]
        for row in response.context["table"].data
    ]


def test_the_default_is_the_last_seven_days_newest_first(auditor):
    add(1, ago=dt.timedelta(days=1))
    add(2, ago=dt.timedelta(hours=1))
    add(3, ago=dt.timedelta(days=9))

    response = auditor.get("/clients/feed/")

    assert ids(response) == [2, 1]
    first_day = timezone.localdate() - dt.timedelta(days=6)
    assert f'value="{first_day.isoformat()}"' in response.content.decode()


def test_an_emptied_date_field_means_any_date(auditor):
    add(1, ago=dt.timedelta(days=1))
    add(3, ago=dt.timedelta(days=90))

    assert ids(auditor.get("/clients/feed/", {"date_from": ""})) == [1, 3]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"method": "sms"}, [2, 4]),
        ({"state": "disabled"}, [2, 3]),
        ({"state": "enabled", "method": "google"}, [1]),
        ({"rapid": "1"}, [3, 4]),
        ({"client": "c2"}, [4]),
    ],
)
def test_each_filter_keeps_only_its_changes(auditor, query, expected):
    add(1, ago=dt.timedelta(hours=4))
    add(2, ago=dt.timedelta(hours=3), provider="sms", is_enabled=False)
    add(3, ago=dt.timedelta(hours=2), is_enabled=False, rapid_toggle=True)
    add(4, ago=dt.timedelta(hours=1), client="c2", provider="sms", rapid_toggle=True)

    response = auditor.get("/clients/feed/", query)

    assert sorted(ids(response)) == expected


def test_dates_are_whole_days_in_the_operators_time_zone(auditor):
    user = auditor.session["_auth_user_id"]
    Preference.objects.create(user_id=user, time_zone="Asia/Tokyo")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    day = dt.date(2026, 3, 10)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tokyo)
    for change_id, moment in (
        (1, start - dt.timedelta(seconds=1)),
        (2, start),
        (3, start + dt.timedelta(hours=23, minutes=59)),
    ):
        ClientChange.objects.create(
            client_id="c1",
            change_id=change_id,
            provider="sms",
            is_enabled=True,
            time=moment,
            synced_at=NOW,
        )

    response = auditor.get("/clients/feed/", {"date_from": "2026-03-10", "date_to": "2026-03-10"})

    assert response.context["table"].data[0]["when"][2] == "23:59:00"
    assert len(response.context["table"].data) == 2


def test_disables_are_highlighted_and_rapid_toggles_flagged(auditor):
    add(1, ago=dt.timedelta(hours=2), is_enabled=False)
    add(2, ago=dt.timedelta(hours=1), rapid_toggle=True)

    page = auditor.get("/clients/feed/").content.decode()

    assert '<tr role="row" class="change-off">' in page
    assert '<tr role="row" class="change-rapid">' in page
    assert page.count('<span class="status status-failed">Disabled</span>') == 2  # row + legend


def test_keyset_pages_cover_every_change_once(auditor):
    for change_id in range(1, 121):
        add(change_id, ago=dt.timedelta(minutes=change_id))

    seen: list[int] = []
    response = auditor.get("/clients/feed/")
    while True:
        seen += ids(response)
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        response = auditor.get("/clients/feed/", {"after": cursor})

    assert seen == list(range(1, 121))


def test_a_forged_cursor_shows_a_message_and_the_first_page(auditor):
    add(1, ago=dt.timedelta(hours=1))

    response = auditor.get("/clients/feed/", {"after": "eyJzIjoi.forged:sig"})

    assert response.status_code == 200
    assert "no longer valid" in response.content.decode()
    assert ids(response) == [1]


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-13-40"},
        {"date_from": "0001-01-01"},
        {"date_from": "2026-03-10", "date_to": "2026-03-01"},
        {"method": "carrier-pigeon"},
        {"client": "<script>"},
        {"state": "maybe"},
    ],
)
def test_bad_filters_say_what_is_wrong_instead_of_failing(auditor, query):
    response = auditor.get("/clients/feed/", query)
    export = auditor.get("/clients/feed/export.csv", query)

    assert response.status_code == 200
    assert "could not be used" in response.content.decode()
    assert "table" not in response.context
    assert export.status_code == 400


def test_the_csv_has_every_filtered_change_and_no_formulas(auditor):
    ClientSyncState.objects.create(client_id="c1", email="a@example.com", name="=HYPERLINK(1)")
    add(1, ago=dt.timedelta(hours=2), extra={"actor": "@evil"}, is_enabled=False)
    add(2, ago=dt.timedelta(hours=1), provider="sms")

    response = auditor.get("/clients/feed/export.csv", {"method": "google"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == [
        "time_utc",
        "client_id",
        "client_email",
        "client_name",
        "change_id",
        "method",
    ]
    [row] = rows[1:]
    assert row[1:8] == ["c1", "a@example.com", "'=HYPERLINK(1)", "1", "google", "no", "no"]
    assert row[9] == '{"actor": "@evil"}'


def test_an_htmx_request_gets_only_the_results(auditor):
    add(1, ago=dt.timedelta(hours=1))

    response = auditor.get("/clients/feed/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results" class="feed-results"')
    assert "<html" not in body


def test_the_page_says_when_it_was_synced_and_which_clients_failed(auditor):
    ClientSyncState.objects.create(client_id="c1", last_attempt_at=NOW, synced_at=NOW)
    ClientSyncState.objects.create(
        client_id="c2", last_attempt_at=NOW, error_kind="failed", last_error="B2Core timed out."
    )
    ClientSyncState.objects.create(
        client_id="c3", last_attempt_at=NOW, error_kind="forbidden", last_error="403"
    )

    page = auditor.get("/clients/feed/").content.decode()

    assert "Last synced from B2Core" in page
    assert "1 client could not be read" in page
    assert '<code class="id">c2</code>: B2Core timed out.' in page
    assert "1 client restricted to other Back Office tags (403, expected; not an error)" in page
    assert "c3</code>: " not in page  # not listed among the failures


def test_the_page_says_when_the_last_sync_could_not_read_the_client_list(auditor):
    ClientListSync.objects.create(
        pk=ClientListSync.ONE, attempted_at=NOW, last_error="B2Core did not answer within 30 s."
    )

    page = auditor.get("/clients/feed/").content.decode()

    assert "The last sync could not read B2Core's client list" in page
    assert "so no client was asked for new changes: B2Core did not answer within 30 s." in page


def test_before_any_sync_the_page_says_so(auditor):
    assert "Not synced from B2Core yet" in auditor.get("/clients/feed/").content.decode()


@pytest.mark.parametrize(
    ("role", "linked"), [("viewer", False), ("operator", False), ("auditor", True), ("admin", True)]
)
def test_the_navigation_links_the_feed_only_for_those_who_may_see_it(role, linked):
    # The access-denied page has the site's navigation too; the provider is not needed.
    page = signed_in(role).get("/clients/feed/").content.decode()

    assert (">2FA changes</a>" in page) is linked


def test_each_feed_card_cell_carries_its_column_label(auditor):
    add(1, ago=dt.timedelta(hours=2), is_enabled=False)
    add(2, ago=dt.timedelta(hours=1), extra={"actor": "support"})

    found = assert_cards_labelled(auditor.get("/clients/feed/").content.decode(), "feed")

    assert found.headers == ["Time", "Change", "Method", "Client", "Details"]
    assert len(found.rows) == 2


def test_the_date_filters_say_whose_days_they_are(auditor):
    Preference.objects.create(user_id=auditor.session["_auth_user_id"], time_zone="Asia/Tokyo")

    html = auditor.get("/clients/feed/").content.decode()

    assert '<span class="hint dates-zone" id="dates-zone">Days in Asia/Tokyo (JST)</span>' in html
    assert html.count('aria-describedby="dates-zone"') == 2
