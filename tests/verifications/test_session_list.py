from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.models import MirroredSession
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def wavix(settings, now):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    settings.MIRROR_SYNC_WORKERS = 1
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    fake.add(SERVICE_A, "a1".ljust(32, "0"), now - dt.timedelta(hours=1), phone="447911123456")
    fake.add(
        SERVICE_A,
        "a2".ljust(32, "0"),
        now - dt.timedelta(hours=2),
        phone="33612345678",
        country="FR",
        status="failed",
    )
    fake.add(
        SERVICE_B,
        "b1".ljust(32, "0"),
        now - dt.timedelta(hours=3),
        phone="4915112345678",
        country="DE",
        charge="0.2500",
    )
    fake.add(
        SERVICE_B,
        "b2".ljust(32, "0"),
        now - dt.timedelta(days=20),
        phone="447700900123",
        status="expired",
    )
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


@pytest.fixture
def auditor(client):
    client.force_login(user_with_role("aude", "auditor"))
    return client


@pytest.fixture
def viewer(client):
    client.force_login(user_with_role("vera", "viewer"))
    return client


def ids(response) -> list[str]:
    return [row.session_id[:2] for row in response.context["rows"]]


def test_default_list_is_the_last_seven_days_newest_first(wavix, auditor):
    response = auditor.get("/sessions/")
    assert response.status_code == 200
    assert ids(response) == ["a1", "a2", "b1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["a2"]),
        ("status=failed&status=verified", ["a1", "a2", "b1"]),
        ("country=FR&country=DE", ["a2", "b1"]),
        (f"service={SERVICE_B}", ["b1"]),
        ("min_charge=0.1", ["b1"]),
        ("phone=%2B44+7911+123456", ["a1"]),
        ("phone=0044-7911-123456", ["a1"]),
        ("phone=%2B336", ["a2"]),
        ("phone=5678", ["a2", "b1"]),
        ("range=30d&status=expired", ["b2"]),
        ("sort=-charge", ["b1", "a1", "a2"]),
    ],
)
def test_each_filter_narrows_the_list(wavix, auditor, query, expected):
    response = auditor.get(f"/sessions/?{query}")
    assert response.status_code == 200
    assert ids(response) == expected


def test_a_national_number_is_found_with_its_country(wavix, auditor):
    response = auditor.get("/sessions/?country=GB&phone=07911+123456")
    assert ids(response) == ["a1"]


def test_custom_range_in_days(wavix, auditor, now):
    day = (now - dt.timedelta(days=20)).date()
    response = auditor.get(f"/sessions/?range=custom&date_from={day}&date_to={day}")
    assert ids(response) == ["b2"]


def test_htmx_request_gets_only_the_results(wavix, auditor):
    response = auditor.get("/sessions/?status=failed", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_history_restore_gets_the_whole_page(wavix, auditor):
    response = auditor.get(
        "/sessions/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("range=custom&date_from=2024-13-45", "Enter a valid date"),
        ("range=custom&date_from=2025-03-10&date_to=2025-03-01", "end date is before the start"),
        ("range=custom&date_from=2020-01-01&date_to=2025-01-01", "the longest allowed is 400 days"),
        ("range=custom&date_from=0001-01-01&date_to=0001-01-02", "Choose a day from 1 Jan 2000 on"),
        ("range=custom&date_from=9999-12-31&date_to=9999-12-31", "That range starts in the future"),
        ("status=lost", "Select a valid choice"),
        ("service=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "is not a service ID"),
        ("range=forever", "Select a valid choice"),
        ("min_charge=-1", "greater than or equal to 0"),
        ("min_charge=abc", "Enter a number"),
        ("phone=%27+OR+1%3D1+--", "digits only"),
        ("phone=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "digits only"),
    ],
)
def test_bad_input_is_a_message_on_the_form(wavix, auditor, query, message):
    response = auditor.get(f"/sessions/?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "<script>alert(1)</script>" not in body
    assert "rows" not in response.context or not response.context["rows"]


def make_rows(count: int, now: dt.datetime) -> None:
    from dashboard.verifications.models import Service

    service = Service.objects.get(service_id=SERVICE_A)
    MirroredSession.objects.bulk_create(
        MirroredSession(
            session_id=f"{i:032x}",
            service=service,
            created_at=now - dt.timedelta(minutes=10 + i),
            phone_number=f"4479111{i:05d}",
            phone_last4=f"{i:05d}"[-4:],
            country="GB",
            status="verified",
            charge="0.0500",
            synced_at=now,
        )
        for i in range(count)
    )


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_query_count_does_not_grow_with_rows(wavix, auditor, now):
    auditor.get("/sessions/")  # first call syncs the windows
    few = queries_for(auditor, "/sessions/")
    make_rows(120, now)
    many = queries_for(auditor, "/sessions/")
    assert len(many) == len(few)


def test_no_query_counts_the_whole_range(wavix, auditor, now):
    auditor.get("/sessions/")
    make_rows(30, now)
    for sql in queries_for(auditor, "/sessions/"):
        if "COUNT(" in sql.upper():
            assert "LIMIT" in sql.upper(), sql


def test_next_page_continues_where_the_first_ended(wavix, auditor, now):
    auditor.get("/sessions/")
    make_rows(120, now)
    first = auditor.get("/sessions/")
    cursor = first.context["page"].next_cursor
    second = auditor.get("/sessions/", {"after": cursor})
    first_ids = [r.session_id for r in first.context["rows"]]
    second_ids = [r.session_id for r in second.context["rows"]]
    assert len(first_ids) == len(second_ids) == 50
    assert not set(first_ids) & set(second_ids)
    back = auditor.get("/sessions/", {"before": second.context["page"].previous_cursor})
    assert [r.session_id for r in back.context["rows"]] == first_ids


def test_a_tampered_cursor_shows_the_first_page_with_a_message(wavix, auditor):
    response = auditor.get("/sessions/", {"after": "eyJub3QiOiJzaWduZWQifQ:forged"})
    assert response.status_code == 200
    assert "no longer valid" in response.content.decode()
    assert ids(response) == ["a1", "a2", "b1"]


def test_viewers_see_masked_numbers(wavix, viewer):
    body = viewer.get("/sessions/?status=failed").content.decode()
    assert "+33 6 12 34 56 78" not in body
    assert "+33 6 •• •• •6 78" in body


def test_auditors_see_whole_numbers_with_country_names(wavix, auditor):
    body = auditor.get("/sessions/?country=FR").content.decode()
    assert "+33 6 12 34 56 78" in body
    assert "France" in body


def test_export_is_the_whole_filtered_set_and_safe_in_a_spreadsheet(wavix, auditor, now):
    auditor.get("/sessions/")
    make_rows(130, now)
    MirroredSession.objects.filter(session_id="a1".ljust(32, "0")).update(status="=HYPERLINK(1)")
    response = auditor.get("/sessions/export.csv?range=7d")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "session_id"
    assert len(rows) == 1 + 130 + 3
    hostile = next(r for r in rows if r[0].startswith("a1"))
    assert hostile[8] == "'=HYPERLINK(1)"
    assert hostile[5] == '="+447911123456"'


def test_viewers_cannot_export(wavix, viewer):
    assert viewer.get("/sessions/export.csv").status_code == 403


def test_a_provider_failure_leaves_old_rows_and_says_which_days_are_stale(wavix, auditor, settings):
    auditor.get("/sessions/")
    settings.MIRROR_FRESHNESS_SECONDS = 1
    MirroredSession.objects.update(synced_at=timezone.now())
    from dashboard.verifications.models import SyncWindow

    SyncWindow.objects.filter(settled=False).update(
        fetched_at=timezone.now() - dt.timedelta(minutes=5)
    )
    wavix.fail_with = 503

    response = auditor.get("/sessions/")

    body = response.content.decode()
    assert ids(response) == ["a1", "a2", "b1"]
    assert "could not be refreshed" in body
    assert "showing data from" in body


def test_page_keeps_the_chosen_countries_selected_and_names_them(wavix, viewer):
    response = viewer.get("/sessions/?country=GB&country=FR")

    html = response.content.decode()
    assert '<option value="GB" selected>United Kingdom</option>' in html
    assert '<option value="FR" selected>France</option>' in html
    assert '>France <span aria-hidden="true">×</span></a>' in html


def test_page_selects_the_operators_time_zone(wavix, viewer):
    viewer.post("/accounts/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/sessions/"})

    html = viewer.get("/sessions/").content.decode()
    assert "Times in Asia/Tokyo" in html

    picker = viewer.get("/accounts/preferences/?next=/sessions/").content.decode()
    assert '<option value="Asia/Tokyo" selected>Tokyo · UTC+09:00 (Asia/Tokyo)</option>' in picker


def test_row_shows_local_time_with_its_zone_and_utc_on_hover(wavix, viewer, now):
    viewer.post("/accounts/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/sessions/"})

    response = viewer.get("/sessions/?status=failed")

    created = (now - dt.timedelta(hours=2)).replace(microsecond=0)
    tokyo = created.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    html = response.content.decode()
    assert f'<time datetime="{tokyo.isoformat()}"' in html
    assert f'title="{created.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"' in html
    assert f'>{tokyo.day} {tokyo:%b %H:%M:%S}\xa0<span class="tz">JST</span></time>' in html
    assert '<span class="status status-failed">failed</span>' in html
    assert (
        '<td role="cell" class="phone" data-label="Phone">+33 6 •• •• •6 78</td>' in html
    )  # viewers see it masked


def test_export_with_bad_filters_shows_the_form_with_its_error(wavix, auditor):
    response = auditor.get("/sessions/export.csv?date_from=2026-13-45&country=GB")

    html = response.content.decode()
    assert response.status_code == 400
    assert "Fix the filters to export." in html
    assert '<option value="GB" selected>United Kingdom</option>' in html


def export_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_has_the_time_in_the_operators_zone(wavix, auditor, now):
    auditor.post("/accounts/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/sessions/"})

    auditor.get("/sessions/")  # the export reads the mirror; the page fills it
    rows = export_rows(auditor.get("/sessions/export.csv?status=failed"))

    header, row = rows[0], rows[1]
    assert header[1:3] == ["created_at_utc", "created_at_local"]
    created = dt.datetime.strptime(row[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    tokyo = created.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert row[2] == tokyo.strftime("%Y-%m-%d %H:%M:%S")


def test_export_keeps_phone_numbers_as_text(wavix, auditor):
    auditor.get("/sessions/")
    rows = export_rows(auditor.get("/sessions/export.csv?status=failed"))

    assert rows[0][5] == "phone_e164"
    assert rows[1][5] == '="+33612345678"'


def test_export_file_is_named_after_its_filter(wavix, auditor):
    auditor.get("/sessions/")
    response = auditor.get(
        f"/sessions/export.csv?service={SERVICE_B}&range=custom"
        "&date_from=2026-05-01&date_to=2026-05-31"
    )

    disposition = response["Content-Disposition"]
    assert disposition.startswith(
        'attachment; filename="sessions_payments_2026-05-01_to_2026-05-31_'
    )
    assert disposition.endswith('.csv"')


def test_export_of_a_preset_names_the_preset(wavix, auditor):
    response = auditor.get("/sessions/export.csv?range=30d")

    assert 'filename="sessions_all-services_30d_' in response["Content-Disposition"]


def test_a_phone_cell_is_a_formula_only_for_digits():
    from dashboard.verifications.csv_export import phone_as_text

    assert phone_as_text("447911123456") == '="+447911123456"'
    assert phone_as_text('1")+HYPERLINK("x') == '\'+1")+HYPERLINK("x'
