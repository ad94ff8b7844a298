"""/clients/<id>/: a client's 2FA methods and its change history, filtered as B2Core is asked."""

from __future__ import annotations

import re

import pytest

from dashboard.providers.b2core import B2CoreClient
from tests.card_cells import assert_cards_labelled
from tests.clients.conftest import sign_in

pytestmark = pytest.mark.django_db


def history_queries(proxy, client_id: str) -> list[dict[str, str]]:
    path = f"/api/v2/clients/{client_id}/2fa/changes"
    return [call.query for call in proxy.sent("GET", path) if call.path == path]


def change_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'hx-get="/clients/[^/]+/changes/(\d+)/"', html)]


@pytest.fixture
def busy(direct: B2CoreClient) -> str:
    """A client whose history has both methods and both states in it."""
    for candidate in direct.iter_clients(sort_order="asc"):
        changes = direct.list_changes(candidate.id, limit=100).items
        if (
            len(changes) >= 4
            and {c.provider for c in changes} == {"google", "sms"}
            and {c.is_enabled for c in changes} == {True, False}
        ):
            return candidate.id
    pytest.fail("no seeded client has a varied 2FA history")


def test_the_methods_are_shown_with_b2core_captions_and_states(client, b2core, direct, busy):
    sign_in(client, "viewer")

    html = client.get(f"/clients/{busy}/").content.decode()

    shown = re.findall(
        r'<span class="method-name">([^<]+)(?:<span[^>]*>[^<]*</span>)?</span>\s*'
        r'<span class="state state-(on|off)">',
        html,
    )
    expected = [(m.caption, "on" if m.is_enabled else "off") for m in direct.get_methods(busy)]
    assert [(caption.strip(), state) for caption, state in shown] == expected


def test_the_history_lists_b2core_changes_newest_first(client, b2core, direct, busy):
    sign_in(client, "viewer")

    html = client.get(f"/clients/{busy}/").content.decode()

    assert history_queries(b2core, busy)[-1] == {
        "sort_by": "time",
        "sort_order": "desc",
        "limit": "25",
        "offset": "0",
    }
    assert change_ids(html) == [c.id for c in direct.list_changes(busy, limit=25).items]


def test_history_filters_become_b2core_filters_in_the_operators_time_zone(
    client, b2core, direct, busy, settings
):
    settings.TIME_ZONE = "Asia/Tokyo"  # UTC+9, no daylight saving
    sign_in(client, "viewer")

    html = client.get(
        f"/clients/{busy}/",
        {
            "method": "google",
            "state": "disabled",
            "time_from": "2020-03-01T09:00",
            "time_to": "2099-03-02T08:30",
            "sort": "asc",
            "limit": "50",
            "offset": "0",
        },
    ).content.decode()

    assert history_queries(b2core, busy)[-1] == {
        "filter[provider]": "google",
        "filter[isEnabled]": "0",
        "filter[timeFrom]": "2020-03-01T00:00:00+00:00",
        "filter[timeTo]": "2099-03-01T23:30:00+00:00",
        "sort_by": "time",
        "sort_order": "asc",
        "limit": "50",
        "offset": "0",
    }
    expected = direct.list_changes(busy, provider="google", is_enabled=False, sort_order="asc")
    assert change_ids(html) == [c.id for c in expected.items]
    assert expected.items
    assert all(not c.is_enabled for c in expected.items)


def test_history_pages_by_offset(client, b2core, direct, busy):
    sign_in(client, "viewer")
    everything = [c.id for c in direct.list_changes(busy, limit=100).items]

    html = client.get(f"/clients/{busy}/", {"offset": "2"}).content.decode()

    assert history_queries(b2core, busy)[-1]["offset"] == "2"
    assert change_ids(html) == everything[2:27]


def test_an_htmx_filter_answers_the_history_region_only(client, b2core, busy):
    sign_in(client, "viewer")

    response = client.get(f"/clients/{busy}/", {"state": "enabled"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="history"')
    assert history_queries(b2core, busy)[-1]["filter[isEnabled]"] == "1"
    assert b2core.sent("GET", f"/api/v2/clients/{busy}/2fa") == b2core.sent(
        "GET", f"/api/v2/clients/{busy}/2fa/changes"
    )  # the methods were not read again


@pytest.mark.parametrize(
    "query",
    [
        {"time_from": "yesterday"},
        {"time_from": "2024-05-02T00:00", "time_to": "2024-05-01T00:00"},
        {"method": "carrier-pigeon"},
        {"offset": "-5"},
        {"time_from": "0001-01-01T00:00"},
    ],
)
def test_bad_history_filters_are_refused_in_words(client, b2core, busy, query):
    sign_in(client, "viewer")

    response = client.get(f"/clients/{busy}/", query)

    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()
    assert history_queries(b2core, busy) == []


def test_an_unknown_client_is_a_404_that_says_so(client, b2core):
    sign_in(client, "viewer")

    response = client.get("/clients/987654/")

    assert response.status_code == 404
    assert "B2Core has no client 987654." in response.content.decode()


@pytest.mark.parametrize("client_id", ["%3Cscript%3E", "a%20b", "x" * 65, "1%27OR%271"])
def test_a_hostile_client_id_is_not_sent_to_b2core(client, b2core, client_id):
    sign_in(client, "viewer")

    response = client.get(f"/clients/{client_id}/")

    assert response.status_code == 404
    assert "That is not a B2Core client ID." in response.content.decode()
    assert b2core.calls == []


def test_a_tag_restricted_client_is_explained_as_expected_not_as_a_fault(client, b2core):
    b2core.answer("GET", "/api/v2/clients/31337/2fa", 403, {"message": "Forbidden."})
    sign_in(client, "viewer")

    response = client.get("/clients/31337/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "B2Core restricts it by tag" in html
    assert "banner-warn problem-restricted" in html


def test_a_b2core_outage_on_the_client_page_is_a_sentence(client, b2core, sandbox, busy):
    sandbox.set_fault("503", f"/clients/{busy}/2fa")
    sign_in(client, "viewer")

    response = client.get(f"/clients/{busy}/")

    assert response.status_code == 200
    assert "B2Core could not be reached" in response.content.decode()


def test_auditors_get_a_link_to_the_numbers_wavix_sessions(client, b2core, direct):
    target = direct.list_clients(limit=1).items[0]
    digits = re.sub(r"\D", "", target.phone)
    sign_in(client, "auditor")

    html = client.get(f"/clients/{target.id}/").content.decode()

    assert f'href="/sessions/?phone=%2B{digits}&amp;range=90d"' in html


def test_viewers_get_no_link_and_no_whole_number(client, b2core, direct):
    target = direct.list_clients(limit=1).items[0]
    digits = re.sub(r"\D", "", target.phone)
    sign_in(client, "viewer")

    html = client.get(f"/clients/{target.id}/").content.decode()

    assert "/sessions/?phone=" not in html
    assert digits not in re.sub(r"\D", "", html.split('class="phone">')[1].split("</dd>")[0])
    assert "•" in html


def test_a_client_without_a_phone_shows_none_and_no_link(client, b2core):
    b2core.answer(
        "GET",
        "/api/v2/clients",
        200,
        {"total": 1, "data": [{"id": 5, "email": "n@p.test", "name": "No Phone"}]},
    )
    sign_in(client, "admin")

    html = client.get("/clients/5/").content.decode()

    assert "not given by B2Core" in html
    assert "/sessions/?phone=" not in html


def test_each_history_card_cell_carries_its_column_label(client, b2core, busy):
    sign_in(client, "viewer")

    found = assert_cards_labelled(client.get(f"/clients/{busy}/").content.decode(), "changes")

    assert found.headers == ["Time", "Method", "Change", "Other fields"]
