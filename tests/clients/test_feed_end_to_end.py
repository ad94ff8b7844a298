"""End to end over a real socket: a sandbox client changes its own 2FA through the "my"
wizards with real TOTP codes; sync_clients brings the change into the feed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from dashboard.clients.models import ClientChange
from tests.clients.sandbox_b2core import Me, admin, client_without_2fa
from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor() -> Client:
    client = Client()
    client.force_login(user_with_role("aud", "auditor"))
    return client


def sync() -> None:
    call_command("sync_clients", "--force", stdout=io.StringIO())


def feed_rows(auditor: Client, **query: str) -> list[dict[str, object]]:
    response = auditor.get("/clients/feed/", query)
    assert response.status_code == 200
    return list(response.context["table"].data)


def test_google_enabled_through_the_wizard_is_in_the_feed(socket_providers, auditor):
    person = client_without_2fa(admin(socket_providers))
    me = Me.sign_in(socket_providers, person["email"])

    me.enable_google()
    sync()

    client_id = str(person["id"])
    change = ClientChange.objects.filter(client_id=client_id).latest("time")
    assert (change.provider, change.is_enabled, change.extra) == (
        "google",
        True,
        {"actor": "client"},
    )
    rows = feed_rows(auditor, client=client_id)
    assert rows[0]["method"] == "google"
    assert rows[0]["change"] == (True, False)  # enabled, not a rapid toggle
    page = auditor.get("/clients/feed/", {"client": client_id}).content.decode()
    assert "Google Authenticator" in page
    assert f'<code class="id">{client_id}</code>' in page


def test_a_rapid_toggle_made_in_the_sandbox_is_flagged_in_the_feed(socket_providers, auditor):
    person = client_without_2fa(admin(socket_providers))
    me = Me.sign_in(socket_providers, person["email"])
    client_id = str(person["id"])

    me.enable_google()
    sync()  # the enable arrives alone: nothing to pair it with yet
    enabled = ClientChange.objects.filter(client_id=client_id).latest("time")
    assert enabled.rapid_toggle is False
    me.disable_google()
    sync()  # its partner arrives: both are flagged

    toggled = ClientChange.objects.filter(client_id=client_id, rapid_toggle=True)
    assert sorted(toggled.values_list("is_enabled", flat=True)) == [False, True]
    rows = feed_rows(auditor, client=client_id, rapid="1")
    assert [r["change"] for r in rows] == [(False, True), (True, True)]
    page = auditor.get("/clients/feed/", {"client": client_id, "rapid": "1"}).content.decode()
    assert page.count('<span class="flag-rapid" title=') == 2  # the legend has no title
    assert 'class="change-off change-rapid"' in page


def test_an_admin_disables_what_the_client_enabled_and_the_feed_and_audit_show_it(
    socket_providers, auditor
):
    from dashboard.audit.models import AuditRecord
    from dashboard.verifications.actions.once import new_key

    person = client_without_2fa(admin(socket_providers))
    Me.sign_in(socket_providers, person["email"]).enable_google()
    client_id = str(person["id"])
    ops = Client()
    ops.force_login(user_with_role("ada", "admin"))
    before = ops.get(f"/clients/{client_id}/").content.decode()

    done = ops.post(
        f"/clients/{client_id}/2fa/google/disable/",
        {"reason": "locked_out", "note": "lost phone, ticket 42", "key": new_key()},
        follow=True,
    )
    sync()

    assert "Enabled" in before
    page = done.content.decode()
    assert done.status_code == 200, page[:400]
    entry = AuditRecord.objects.get(action="client.disable_2fa")
    assert (entry.outcome, entry.targets) == ("success", [client_id, "google"])
    assert "ticket 42" in entry.reason
    latest = ClientChange.objects.filter(client_id=client_id).latest("time")
    assert (latest.provider, latest.is_enabled) == ("google", False)
    newest = feed_rows(auditor, client=client_id)[0]
    # Disabled, and flagged: it was enabled minutes before (the account-takeover pattern).
    assert newest["change"] == (False, True)
