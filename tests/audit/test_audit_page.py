from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.test import Client

from dashboard.accounts.models import Preference
from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN
from dashboard.audit.trail import Actor
from tests.audit.conftest import add
from tests.card_cells import assert_cards_labelled
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(f"{role}-user", role))
    return client


@pytest.fixture
def auditor() -> Client:
    return signed_in("auditor")


@pytest.fixture
def trail():
    add("resend", ("s1",), actor=Actor(None, "otto"), outcome=SUCCESS)
    add("cancel", ("s2", "s3"), actor=Actor(None, "otto"), outcome=FAILED, reason="fraud")
    add("cancel", ("s4",), actor=Actor(None, "ada"), outcome=UNKNOWN, message="timed out")


def actions(response) -> list[tuple[str, str]]:
    return [
        (row.record["action"], row.record["targets"][0]) for row in response.context["table"].rows
    ]


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("operator", 403), ("auditor", 200), ("admin", 200)]
)
def test_only_auditors_and_admins_see_the_page_and_its_export(role, status):
    client = signed_in(role)
    assert client.get("/audit/").status_code == status
    assert client.get("/audit/export.csv").status_code == status


@pytest.mark.parametrize(
    ("role", "shown"), [("viewer", False), ("operator", False), ("auditor", True), ("admin", True)]
)
def test_navigation_links_the_audit_page_only_for_those_who_may_see_it(rf, role, shown):
    request = rf.get("/")
    request.user = user_with_role(f"{role}-user", role)
    page = render_to_string("base.html", request=request)
    assert ('href="/audit/"' in page) is shown


def test_newest_first_unfiltered(trail, auditor):
    assert actions(auditor.get("/audit/")) == [("cancel", "s4"), ("cancel", "s2"), ("resend", "s1")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("actor=otto", [("cancel", "s2"), ("resend", "s1")]),
        ("action=resend", [("resend", "s1")]),
        ("outcome=unknown", [("cancel", "s4")]),
        ("target=s2", [("cancel", "s2")]),
        ("actor=otto&action=cancel&outcome=failed", [("cancel", "s2")]),
    ],
)
def test_filters(trail, auditor, query, expected):
    assert actions(auditor.get(f"/audit/?{query}")) == expected


def test_date_range_is_read_in_the_operators_time_zone(auditor):
    entry = add()
    user = auditor.get("/audit/").wsgi_request.user
    Preference.objects.create(user=user, time_zone="Pacific/Kiritimati")  # UTC+14
    local_day = entry.created_at.astimezone(zoneinfo.ZoneInfo("Pacific/Kiritimati")).date()
    day_before = local_day - dt.timedelta(days=1)
    assert (
        len(auditor.get(f"/audit/?date_from={local_day}&date_to={local_day}").context["table"].rows)
        == 1
    )
    assert len(auditor.get(f"/audit/?date_to={day_before}").context["table"].rows) == 0
    assert len(auditor.get(f"/audit/?date_from={day_before}").context["table"].rows) == 1


def test_times_show_local_with_their_zone_and_utc_on_hover(auditor):
    entry = add()
    user = auditor.get("/audit/").wsgi_request.user
    Preference.objects.create(user=user, time_zone="Asia/Kolkata")
    page = auditor.get("/audit/").content.decode()
    utc = entry.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    local = entry.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert (
        f'title="{utc} UTC">{local.day} {local:%b %Y}<br>{local:%H:%M:%S}\xa0'
        '<span class="tz">IST</span></time>'
    ) in page


def test_keyset_pages_walk_every_record_once(auditor):
    for i in range(120):
        add(targets=(f"s{i:03d}",))
    seen, url = [], "/audit/"
    for _ in range(5):
        response = auditor.get(url)
        seen += [target for _, target in actions(response)]
        page = response.context["page"]
        if not page.next_cursor:
            break
        assert response.context["page_error"] == ""
        url = "/audit/?" + urlencode({"after": page.next_cursor})
    assert seen == [f"s{i:03d}" for i in reversed(range(120))]
    back = auditor.get("/audit/?" + urlencode({"before": response.context["page"].previous_cursor}))
    assert actions(back)[0][1] == "s069"


def test_a_forged_cursor_shows_the_first_page_with_a_message(trail, auditor):
    response = auditor.get("/audit/?after=WyIyMDI2Il0:forged")
    assert response.status_code == 200
    assert "no longer valid" in response.context["page_error"]
    assert actions(response)[0] == ("cancel", "s4")


@pytest.mark.parametrize(
    "query",
    [
        "date_from=2025-13-01",
        "date_from=99999-01-01",
        "date_to=9999-12-31",
        "date_from=2026-02-01&date_to=2026-01-01",
        "action=%3Cscript%3Ealert(1)%3C/script%3E",
        "actor=" + "x" * 500,
        "target=a%00b",
        "outcome=maybe",
    ],
)
def test_bad_input_is_a_clear_message_never_a_500(trail, auditor, query):
    response = auditor.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert auditor.get(f"/audit/export.csv?{query}").status_code == 400


def test_hostile_strings_in_records_are_escaped(auditor):
    add(targets=("<img src=x onerror=alert(1)>",), reason="<script>alert(1)</script>")
    page = auditor.get("/audit/").content.decode()
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_htmx_request_gets_only_the_results(trail, auditor):
    response = auditor.get("/audit/?outcome=failed", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_csv_export_is_the_filtered_set_and_safe_in_a_spreadsheet(auditor):
    add("cancel", ("s1",), outcome=SUCCESS, reason='=HYPERLINK("http://evil")')
    add("cancel", ("s2", "s3"), outcome=FAILED, message="@SUM(A1)")
    add("resend", ("s9",), outcome=SUCCESS)
    response = auditor.get("/audit/export.csv?action=cancel")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:6] == ["id", "time_utc", "actor", "client_ip", "action", "targets"]
    assert [r[5] for r in rows[1:]] == ["s2 s3", "s1"]
    assert rows[1][8] == "'@SUM(A1)"
    assert rows[2][7] == '\'=HYPERLINK("http://evil")'
    assert rows[1][1].endswith("Z")


def test_csv_export_has_the_local_time_and_its_zone_last(auditor):
    entry = add()
    user = auditor.get("/audit/").wsgi_request.user
    Preference.objects.create(user=user, time_zone="Asia/Kolkata")

    response = auditor.get("/audit/export.csv")

    header, line = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert header[10:] == ["prev_hash", "hash", "time_local", "local_zone"]
    local = entry.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Kolkata"))
    assert line[12:] == [local.strftime("%Y-%m-%d %H:%M:%S"), "Asia/Kolkata UTC+05:30"]


def test_the_count_is_capped_not_a_scan_of_the_whole_log(auditor, monkeypatch):
    monkeypatch.setattr("dashboard.audit.views.COUNT_CAP", 5)
    for _ in range(7):
        add()
    response = auditor.get("/audit/")
    assert response.context["count_capped"]
    assert "<strong>5+</strong> records" in response.content.decode()


def test_an_htmx_filter_change_shows_what_is_wrong_with_it(auditor):
    response = auditor.get("/audit/?date_from=2025-13-01", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"')
    assert "<li>From: Enter a valid date.</li>" in body


def test_each_audit_card_cell_carries_its_column_label(auditor, trail):
    found = assert_cards_labelled(auditor.get("/audit/").content.decode(), "audit")

    assert found.headers[:5] == ["Time", "Actor", "Action", "Targets", "Outcome"]
    assert len(found.rows) == 3


def test_the_date_filters_say_whose_days_they_are(auditor):
    Preference.objects.create(user_id=auditor.session["_auth_user_id"], time_zone="Asia/Kolkata")

    html = auditor.get("/audit/").content.decode()

    assert '<span class="hint dates-zone" id="dates-zone">Days in Asia/Kolkata (IST)</span>' in html
    assert html.count('aria-describedby="dates-zone"') == 2
