"""The sessions list and the Services table as django-tables2 Tables over a FilterSet."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from dashboard.connections import install_wavix_client, reset_clients
from dashboard.verifications.session_filters import SessionFilter
from dashboard.verifications.tables import ServiceTable, SessionTable
from tests.card_cells import assert_cards_labelled
from tests.verifications.conftest import user_with_role
from tests.verifications.fake_wavix import SERVICE_A, SERVICE_B, FakeWavix

pytestmark = pytest.mark.django_db


@pytest.fixture
def wavix(settings):
    settings.WAVIX_BASE_URL = "http://fake-wavix.test"
    settings.WAVIX_API_KEY = "test-key"
    settings.WAVIX_SERVICE_IDS = [SERVICE_A, SERVICE_B]
    settings.MIRROR_SYNC_WORKERS = 1
    now = timezone.now()
    fake = FakeWavix(names={SERVICE_A: "Login", SERVICE_B: "Payments"})
    # 60 sessions: more than a page, so that a next-page cursor exists.
    for i in range(60):
        fake.add(
            SERVICE_A if i % 2 else SERVICE_B,
            f"{i:032x}",
            now - dt.timedelta(minutes=10 + i),
            phone=f"4479111{i:05d}",
            country=("GB", "FR")[i % 2],
            status=("verified", "failed")[i % 3 == 0],
            charge=f"0.{i % 10}500",
        )
    reset_clients()
    install_wavix_client(fake.client())
    yield fake
    reset_clients()


@pytest.fixture
def auditor(client):
    client.force_login(user_with_role("aude", "auditor"))
    return client


def header_links(body: str) -> dict[str, dict[str, list[str]]]:
    """Each sortable header's label and the query its link asks for."""
    links = re.findall(r'<th scope="col"[^>]*><a href="\?([^"]*)">([A-Za-z]+)', body)
    return {label: parse_qs(html.unescape(query)) for query, label in links}


def test_the_sessions_list_is_drawn_by_a_table_over_a_filterset(wavix, auditor):
    response = auditor.get("/sessions/")

    assert isinstance(response.context["filter"], SessionFilter)
    table = response.context["table"]
    assert isinstance(table, SessionTable)
    assert [c.name for c in table.columns] == [
        "created",
        "service",
        "phone",
        "country",
        "status",
        "charge",
        "session",
    ]
    # Each row's session opens in the side panel.
    assert response.content.decode().count('hx-target="#panel-host"') == 50


def test_a_header_links_to_the_next_sort_and_drops_the_paging_cursor(wavix, auditor):
    first = auditor.get("/sessions/", {"sort": "-charge"})
    cursor = first.context["page"].next_cursor
    assert cursor is not None

    body = auditor.get("/sessions/", {"sort": "-charge", "after": cursor}).content.decode()

    links = header_links(body)
    assert links["Charge"] == {"sort": ["charge"]}  # sorted by it: the other direction
    assert links["Created"] == {"sort": ["-created"]}  # newest first on a first click
    assert links["Status"] == {"sort": ["status"]}
    assert (
        '<th scope="col" role="columnheader" class="desc num orderable" aria-sort="descending">'
        in body
    )


def test_a_header_keeps_the_other_filters(wavix, auditor):
    query = {
        "range": "30d",
        "status": ["failed", "verified"],
        "country": ["GB", "FR"],
        "phone": "+4479111",
        "min_charge": "0.1",
        "before": "anything",
    }

    body = auditor.get("/sessions/", query).content.decode()

    created = header_links(body)["Created"]
    # Newest first is the default: the header offers oldest first.
    assert created.pop("sort") == ["created"]
    kept = {k: v if isinstance(v, list) else [v] for k, v in query.items() if k != "before"}
    assert created == kept


def test_following_a_header_link_sorts_the_rows_by_that_column(wavix, auditor):
    body = auditor.get("/sessions/", {"status": "failed"}).content.decode()
    link = re.search(r'<a href="(\?[^"]*)">Charge', body)
    assert link is not None
    href = html.unescape(link.group(1))

    response = auditor.get("/sessions/" + href)

    assert parse_qs(urlsplit(href).query) == {"status": ["failed"], "sort": ["-charge"]}
    charges = [row.charge for row in response.context["rows"]]
    assert charges == sorted(charges, reverse=True)
    assert {row.status for row in response.context["rows"]} == {"failed"}
    assert 'aria-sort="descending"><a href="?status=failed&amp;sort=charge">Charge' in (
        response.content.decode()
    )


def test_the_status_header_stays_on_the_one_status_order(wavix, auditor):
    body = auditor.get("/sessions/", {"sort": "status"}).content.decode()

    # "-status" is no sort of ours: the header must not offer it.
    assert header_links(body)["Status"] == {"sort": ["status"]}
    assert 'aria-sort="ascending"' in body


def test_a_filterset_error_shows_in_place_of_the_results(wavix, auditor):
    response = auditor.get(
        "/sessions/", {"min_charge": "abc", "sort": "-charge"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "Min. charge (USD): Enter a number." in body
    assert "<table" not in body
    assert "table" not in response.context


def test_operators_get_a_checkbox_per_row_for_the_bulk_form_and_viewers_none(wavix, client):
    client.force_login(user_with_role("otto", "operator"))
    body = client.get("/sessions/").content.decode()
    assert body.count('form="bulk-form"') == 50
    assert (
        '<td role="cell" class="pick" data-label="Select"><input type="checkbox" name="session"'
        in body
    )

    client.force_login(user_with_role("vera", "viewer"))
    body = client.get("/sessions/").content.decode()
    assert 'form="bulk-form"' not in body
    assert 'class="pick"' not in body


def test_the_services_table_links_each_figure_to_its_sessions(wavix, auditor):
    auditor.get("/sessions/")  # mirror the windows

    response = auditor.get("/", {"range": "30d"})

    table = response.context["table"]
    assert isinstance(table, ServiceTable)
    body = response.content.decode()
    assert f'<a href="/sessions/?range=30d&amp;service={SERVICE_A}&amp;status=failed">' in body
    assert (
        '<th role="rowheader" scope="row" data-label="Service"><span class="name">Login</span>'
        in body
    )
    # No sort of its own: the period form's `sort` belongs to the sessions list.
    assert all(not h.href for h in table.headers)


def test_each_session_card_cell_carries_its_column_label(wavix, client):
    client.force_login(user_with_role("otto", "operator"))

    found = assert_cards_labelled(client.get("/sessions/").content.decode(), "sessions")

    assert found.headers == [
        "Select", "Created", "Service", "Phone", "Country", "Status", "Charge", "Session",
    ]  # fmt: skip
    assert len(found.rows) == 50


def test_each_service_card_cell_carries_its_column_label(wavix, auditor):
    auditor.get("/sessions/")  # mirror the windows

    found = assert_cards_labelled(auditor.get("/", {"range": "30d"}).content.decode(), "services")

    assert found.headers[:3] == ["Service", "Sessions", "Verified"]
    assert [row[0].tag for row in found.rows] == ["th", "th"]  # the service heads its row
