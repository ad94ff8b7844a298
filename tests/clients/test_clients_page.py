"""/clients/: B2Core's client list, its filters and paging as the sandbox received them."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.card_cells import assert_cards_labelled
from tests.clients.conftest import sign_in

pytestmark = pytest.mark.django_db

SEEDED_CLIENTS = 40  # tests/conftest.py: sandbox_serve --clients 40


def list_queries(proxy):
    return [
        call.query
        for call in proxy.sent("GET", "/api/v2/clients")
        if call.path == "/api/v2/clients"
    ]


def client_links(html: str) -> list[str]:
    return re.findall(r'href="/clients/([^/"]+)/"><code', html)


def test_search_by_client_id_sends_filter_client_id_and_links_the_client(client, b2core, direct):
    target = direct.list_clients(limit=5).items[2]
    sign_in(client, "viewer")

    response = client.get("/clients/", {"client_id": target.id})

    assert response.status_code == 200
    assert list_queries(b2core) == [
        {
            "filter[clientId]": target.id,
            "sort_by": "createTime",
            "sort_order": "desc",
            "limit": "25",
            "offset": "0",
        }
    ]
    assert client_links(response.content.decode()) == [target.id]


@pytest.mark.parametrize(("field", "param"), [("email", "filter[email]"), ("name", "filter[name]")])
def test_search_by_email_or_name_sends_its_filter(client, b2core, direct, field, param):
    target = direct.list_clients(limit=1).items[0]
    needle = getattr(target, field).split("@")[0].split(" ")[0]
    sign_in(client, "viewer")

    response = client.get("/clients/", {field: needle})

    query = list_queries(b2core)[-1]
    assert query[param] == needle
    assert not {k for k in query if k.startswith("filter[")} - {param}
    assert target.id in client_links(response.content.decode())


def test_oldest_first_sends_sort_order_asc_and_lists_oldest_first(client, b2core, direct):
    sign_in(client, "viewer")

    response = client.get("/clients/", {"sort": "asc", "limit": "50"})

    assert list_queries(b2core)[-1]["sort_order"] == "asc"
    assert list_queries(b2core)[-1]["limit"] == "50"
    oldest = [c.id for c in direct.list_clients(sort_order="asc", limit=50).items]
    assert client_links(response.content.decode()) == oldest


def test_next_page_starts_after_the_records_received(client, b2core):
    sign_in(client, "viewer")

    first = client.get("/clients/", {"limit": "25"}).content.decode()
    next_link = re.search(r'href="\?([^"]*)"[^>]*rel="next"', first)
    assert next_link is not None
    second = client.get("/clients/?" + next_link[1].replace("&amp;", "&")).content.decode()

    assert list_queries(b2core)[-1]["offset"] == "25"
    assert len(client_links(first)) == 25
    assert len(client_links(second)) == SEEDED_CLIENTS - 25
    assert not set(client_links(first)) & set(client_links(second))
    assert 'rel="next"' not in second  # a short page, and B2Core's total agrees


def test_a_silently_capped_limit_pages_by_what_was_received(client, b2core, sandbox):
    sandbox.set_fault("cap-limit=10", "/api/v2/clients")
    sign_in(client, "viewer")

    first = client.get("/clients/", {"limit": "25"}).content.decode()
    next_link = re.search(r'href="\?([^"]*)"[^>]*rel="next"', first)

    assert len(client_links(first)) == 10
    assert next_link is not None
    assert "offset=10" in next_link[1]


def test_a_total_that_lies_low_is_shown_as_about_and_does_not_hide_next(client, b2core, sandbox):
    sandbox.set_fault("total=1", "/api/v2/clients")
    sign_in(client, "viewer")

    html = client.get("/clients/", {"limit": "25"}).content.decode()

    assert "of about 1<" in html
    assert len(client_links(html)) == 25
    assert 'rel="next"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"offset": "-1"},
        {"offset": "abc"},
        {"offset": "10000000000000"},
        {"limit": "7"},
        {"client_id": "<script>alert(1)</script>"},
        {"sort": "sideways"},
        {"email": "a\x00b"},
    ],
)
def test_forged_queries_are_refused_in_words_without_asking_b2core(client, b2core, query):
    sign_in(client, "viewer")

    response = client.get("/clients/", query)

    assert response.status_code == 200
    assert "Nothing was asked of B2Core" in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert list_queries(b2core) == []


def test_an_offset_past_the_end_shows_no_clients(client, b2core):
    sign_in(client, "viewer")

    html = client.get("/clients/", {"offset": "1000000"}).content.decode()

    assert list_queries(b2core)[-1]["offset"] == "1000000"
    assert client_links(html) == []
    assert "None" in html
    assert 'rel="prev"' in html


@pytest.mark.parametrize(
    ("fault", "sentence"),
    [
        ("503", "B2Core could not be reached"),
        ("wrong-types", "B2Core answered with something we cannot read"),
        ("html-200", "B2Core answered with something we cannot read"),
    ],
)
def test_a_failing_b2core_is_a_sentence_on_the_page(client, b2core, sandbox, fault, sentence):
    sandbox.set_fault(fault, "/api/v2/clients")
    sign_in(client, "viewer")

    response = client.get("/clients/")

    assert response.status_code == 200
    assert sentence in response.content.decode()


def test_a_refused_client_list_says_so_not_that_one_client_is_restricted(client, b2core):
    b2core.answer("GET", "/api/v2/clients", 403, {"message": "This action is unauthorized."})
    sign_in(client, "viewer")

    html = unescape(client.get("/clients/").content.decode())

    assert (
        "B2Core refused the dashboard's service account its client list (403): the account "
        "lacks the Back Office permission to read clients; ask a B2Core administrator. "
        "B2Core said: This action is unauthorized."
    ) in html
    assert "may not see this client" not in html


def test_an_htmx_search_answers_the_results_region_only(client, b2core):
    sign_in(client, "viewer")

    response = client.get("/clients/", {"sort": "asc"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert len(client_links(html)) == 25


def test_each_client_card_cell_carries_its_column_label(client, b2core):
    sign_in(client, "viewer")

    found = assert_cards_labelled(client.get("/clients/").content.decode(), "clients")

    assert found.headers == ["Client", "Name", "Email", "Created"]
