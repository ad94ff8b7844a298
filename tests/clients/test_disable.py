"""Disabling a client's 2FA method: one PUT reaching B2Core whatever happens, an unclear answer
settled by reading the method back, a double submit sent once, roles, and the audit record."""

from __future__ import annotations

import json
import re
import time

import pytest

from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN, AuditRecord
from dashboard.verifications.actions.once import new_key
from tests.clients.conftest import enabled_method, sign_in

pytestmark = pytest.mark.django_db


def puts(proxy, client_id: str, method: str):
    path = f"/api/v2/clients/{client_id}/2fa/{method}"
    return [c for c in proxy.calls if c.method in ("PUT", "PATCH") and c.path == path]


def submit(client, client_id: str, method: str, key: str | None = None, **fields: str):
    data = {"key": key or new_key(), "reason": "locked_out", "note": "ticket 4411", **fields}
    return client.post(f"/clients/{client_id}/2fa/{method}/disable/", data, follow=True)


def state_on_page(html: str, caption_start: str) -> str:
    match = re.search(
        rf'<span class="method-name">{caption_start}[^<]*(?:<span[^>]*>[^<]*</span>)?</span>\s*'
        r'<span class="state state-(on|off)">',
        html,
    )
    assert match is not None, html
    return match[1]


CAPTIONS = {"sms": "SMS", "google": "Google"}


def test_the_confirmation_warns_and_asks_for_a_reason(client, b2core, direct):
    client_id, method = enabled_method(direct)
    sign_in(client, "admin")

    html = client.get(f"/clients/{client_id}/2fa/{method}/disable/").content.decode()

    assert "removes a layer of protection from the client" in html
    assert '<select id="id_reason" name="reason" required>' in html
    assert puts(b2core, client_id, method) == []


def test_a_disable_is_one_put_the_status_flips_and_the_audit_has_it(
    client, b2core, direct, settings
):
    settings.B2CORE_DISABLE_BODY = '{"isEnabled": false}'
    client_id, method = enabled_method(direct)
    sign_in(client, "admin", "ada")

    response = submit(client, client_id, method)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/clients/{client_id}/"
    assert "Disabled." in html
    assert state_on_page(html, CAPTIONS[method]) == "off"
    sent = puts(b2core, client_id, method)
    assert len(sent) == 1
    assert json.loads(sent[0].body) == {"isEnabled": False}
    assert direct.get_method(client_id, method).is_enabled is False
    entry = AuditRecord.objects.get(action="client.disable_2fa")
    assert (entry.actor_username, entry.targets, entry.outcome) == (
        "ada",
        [client_id, method],
        SUCCESS,
    )
    assert entry.reason == "Client locked out (lost phone or authenticator): ticket 4411"
    assert entry.provider_message == "B2Core answered 200"


def test_a_refusal_is_reported_as_not_disabled_without_a_second_put(client, b2core):
    b2core.answer("PUT", "/api/v2/clients/77/2fa/sms", 422, {"message": "Method is locked."})
    sign_in(client, "admin")

    html = submit(client, "77", "sms").content.decode()

    assert "Not disabled: B2Core rejected the request (422): Method is locked." in html
    assert len(puts(b2core, "77", "sms")) == 1
    entry = AuditRecord.objects.get(action="client.disable_2fa")
    assert entry.outcome == FAILED
    assert "Method is locked." in entry.provider_message


def test_a_500_is_settled_by_reading_back_and_still_enabled_is_not_disabled(
    client, b2core, direct, sandbox
):
    client_id, method = enabled_method(direct)
    sandbox.set_fault("500", f"/clients/{client_id}/2fa/{method}", times=1)
    sign_in(client, "admin")

    html = submit(client, client_id, method).content.decode()

    assert "Not disabled: the method is still enabled" in html
    assert len(puts(b2core, client_id, method)) == 1  # never retried blindly
    reads = [c for c in b2core.sent("GET") if c.path == f"/api/v2/clients/{client_id}/2fa/{method}"]
    assert len(reads) == 1  # the read-back
    assert direct.get_method(client_id, method).is_enabled is True
    assert AuditRecord.objects.get(action="client.disable_2fa").outcome == FAILED


def test_a_dropped_connection_is_settled_by_reading_back_as_disabled(
    client, b2core, direct, sandbox
):
    client_id, method = enabled_method(direct)
    sandbox.set_fault("drop", f"/clients/{client_id}/2fa/{method}", times=1)
    sign_in(client, "admin")

    html = submit(client, client_id, method).content.decode()

    assert "Disabled (confirmed by reading the method back" in html
    assert state_on_page(html, CAPTIONS[method]) == "off"
    assert len(puts(b2core, client_id, method)) == 1
    entry = AuditRecord.objects.get(action="client.disable_2fa")
    assert entry.outcome == SUCCESS
    assert "closed the connection" in entry.provider_message


def test_no_answer_in_time_with_the_method_still_on_is_unknown_and_sent_once(
    client, b2core, direct, sandbox, settings
):
    # Two thirds for the PUT (cut by the 3 s latency), a third for its read-back.
    settings.PROVIDER_DEADLINE = 2.0
    client_id, method = enabled_method(direct)
    sandbox.set_fault("latency=3", f"/clients/{client_id}/2fa/{method}", times=1)
    sign_in(client, "admin")

    html = submit(client, client_id, method).content.decode()

    assert "Unknown: B2Core did not answer" in html
    assert len(puts(b2core, client_id, method)) == 1
    assert AuditRecord.objects.get(action="client.disable_2fa").outcome == UNKNOWN
    # The late PUT lands after all: the page read afresh says so, and nothing was resent.
    deadline = time.monotonic() + 10
    while direct.get_method(client_id, method).is_enabled and time.monotonic() < deadline:
        time.sleep(0.2)
    assert direct.get_method(client_id, method).is_enabled is False
    assert len(puts(b2core, client_id, method)) == 1


def test_a_failed_read_back_is_unknown(client, b2core, direct, sandbox):
    client_id, method = enabled_method(direct)
    # The PUT, then every attempt of the read-back (it is a read: retried twice).
    sandbox.set_fault("503", f"/clients/{client_id}/2fa/{method}", times=4)
    sign_in(client, "admin")

    html = submit(client, client_id, method).content.decode()

    assert "Unknown: B2Core answered" in html
    assert "could not be read back" in html
    assert len(puts(b2core, client_id, method)) == 1
    assert AuditRecord.objects.get(action="client.disable_2fa").outcome == UNKNOWN


def test_a_double_submit_makes_one_call(client, b2core, direct):
    client_id, method = enabled_method(direct)
    sign_in(client, "admin")
    key = new_key()

    submit(client, client_id, method, key=key)
    second = submit(client, client_id, method, key=key).content.decode()

    assert "This form was already sent. Disabled." in second
    assert len(puts(b2core, client_id, method)) == 1
    assert AuditRecord.objects.filter(action="client.disable_2fa").count() == 1


def test_a_key_from_another_form_is_refused_without_a_call(client, b2core, direct):
    client_id, method = enabled_method(direct)
    sign_in(client, "admin")
    key = new_key()
    submit(client, "77", "sms", key=key)  # B2Core: no such client, a definite failure

    response = submit(client, client_id, method, key=key)

    assert response.status_code == 400
    assert "This form had expired" in response.content.decode()
    assert puts(b2core, client_id, method) == []


def test_a_reason_is_required(client, b2core):
    sign_in(client, "admin")

    response = submit(client, "77", "sms", reason="")
    other = submit(client, "77", "sms", reason="other", note="")

    assert response.status_code == other.status_code == 400
    assert "Say why, when the reason is “Other”." in other.content.decode()
    assert puts(b2core, "77", "sms") == []
    assert not AuditRecord.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "auditor", "operator"])
def test_only_admins_may_disable_by_default(client, b2core, role):
    sign_in(client, role)

    assert client.get("/clients/77/2fa/sms/disable/").status_code == 403
    assert submit(client, "77", "sms").status_code == 403
    assert puts(b2core, "77", "sms") == []


def test_operators_may_disable_when_the_setting_says_so(client, b2core, direct, settings):
    settings.CLIENT_DISABLE_ROLE = "operator"
    client_id, method = enabled_method(direct)
    sign_in(client, "operator")

    page = client.get(f"/clients/{client_id}/").content.decode()
    confirm = client.get(f"/clients/{client_id}/2fa/{method}/disable/")

    assert f'href="/clients/{client_id}/2fa/{method}/disable/"' in page
    assert confirm.status_code == 200


def test_viewers_see_no_disable_button(client, b2core, direct):
    client_id, _method = enabled_method(direct)
    sign_in(client, "viewer")

    page = client.get(f"/clients/{client_id}/").content.decode()

    assert "/disable/" not in page


@pytest.mark.parametrize(
    "path", ["/clients/77/2fa/voice/disable/", "/clients/%3Cx%3E/2fa/sms/disable/"]
)
def test_an_unknown_method_or_bad_client_id_is_a_404_without_a_call(client, b2core, path):
    sign_in(client, "admin")

    assert client.get(path).status_code == 404
    assert client.post(path, {"key": new_key(), "reason": "locked_out"}).status_code == 404
    assert b2core.calls == []
