"""/clients/<id>/changes/<change_id>/: one change, every field B2Core sent, as a drawer for
htmx and as a page of its own without JavaScript."""

from __future__ import annotations

import pytest

from tests.clients.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def change(direct):
    for candidate in direct.iter_clients(sort_order="asc"):
        changes = direct.list_changes(candidate.id, limit=1).items
        if changes:
            return candidate.id, changes[0]
    pytest.fail("no seeded client has any 2FA history")


def test_htmx_gets_the_drawer_alone_with_every_field(client, b2core, change):
    client_id, expected = change
    sign_in(client, "viewer")

    response = client.get(
        f"/clients/{client_id}/changes/{expected.id}/",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver/clients/{client_id}/?state=enabled",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<article class="drawer"')
    assert "<html" not in html
    for name in ("id", "provider", "isEnabled", "time", "actor"):
        assert f"<dt><code>{name}</code></dt>" in html
    assert f"<dd>{expected.extra['actor']}</dd>" in html
    # Close goes back to the client page as it was filtered.
    assert f'href="/clients/{client_id}/?state=enabled">Close' in html


def test_without_javascript_the_change_is_a_page_with_a_way_back(client, b2core, change):
    client_id, expected = change
    sign_in(client, "viewer")

    response = client.get(f"/clients/{client_id}/changes/{expected.id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert '<article class="drawer"' in html
    assert f'href="/clients/{client_id}/">← Client {client_id}' in html


def test_fields_b2core_adds_are_shown_too(client, b2core):
    b2core.answer(
        "GET",
        "/api/v2/clients/7/2fa/changes/99",
        200,
        {
            "id": 99,
            "provider": "SMS",
            "isEnabled": 0,
            "time": "2025-01-02T03:04:05+00:00",
            "actor": "admin:risk@broker.test",
            "ticket": {"system": "zendesk", "number": 4411},
            "ip": None,
        },
    )
    sign_in(client, "viewer")

    html = client.get("/clients/7/changes/99/").content.decode()

    assert (
        "<dt><code>ticket</code></dt>"
        "<dd>{&quot;system&quot;: &quot;zendesk&quot;, &quot;number&quot;: 4411}</dd>" in html
    )
    assert "<dt><code>ip</code></dt><dd>null</dd>" in html
    assert '<span class="state state-off">Disabled</span>' in html


def test_an_unknown_change_is_a_404_that_says_so(client, b2core, change):
    client_id, _ = change
    sign_in(client, "viewer")

    response = client.get(f"/clients/{client_id}/changes/999999999/")

    assert response.status_code == 404
    assert f"B2Core has no change 999999999 for client {client_id}." in response.content.decode()


@pytest.mark.parametrize("change_id", ["abc", "-1", "1" * 30, "%D9%A3"])
def test_a_bad_change_id_is_not_sent_to_b2core(client, b2core, change_id):
    sign_in(client, "viewer")

    response = client.get(f"/clients/3/changes/{change_id}/")

    assert response.status_code == 404
    assert "That is not a B2Core client and change ID." in response.content.decode()
    assert b2core.calls == []


def test_an_htmx_error_is_swapped_in_as_a_200(client, b2core, change):
    client_id, _ = change
    sign_in(client, "viewer")

    response = client.get(
        f"/clients/{client_id}/changes/999999999/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200  # htmx swaps only 2xx answers
    assert "B2Core has no change 999999999" in response.content.decode()
