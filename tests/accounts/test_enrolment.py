"""Enrolment (QR code, key, a first code), recovery codes (shown once, regenerated), the
preferences page's status."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dashboard.accounts.second_factor import check_code
from dashboard.audit.models import SUCCESS, AuditRecord
from tests.accounts.conftest import operator, totp, with_device, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_2fa")]

ENROL = reverse("accounts:two_factor")
CODES = reverse("accounts:recovery_codes")
NEXT = "/clients/?q=ada"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enrolling(client: Client) -> TOTPDevice:
    client.get(f"{ENROL}?next={NEXT}")
    return TOTPDevice.objects.get(confirmed=False)


def test_the_page_shows_a_qr_code_and_the_key_in_groups():
    client = signed_in(operator())
    page = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    key = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', page)
    assert shown is not None
    assert shown.group(1).split() == re.findall("....", key)
    assert 'viewBox="0 0 ' in page
    assert 'class="qr"' in page


def test_the_qr_code_has_no_inline_style_or_data_uri():
    page = signed_in(operator()).get(ENROL).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "style" not in svg
    assert "data:" not in svg
    assert "<script" not in svg


def test_reloading_the_page_keeps_the_same_key():
    client = signed_in(operator())
    client.get(ENROL)
    client.get(ENROL)
    assert TOTPDevice.objects.count() == 1


def test_a_right_first_code_turns_it_on():
    user = operator()
    client = signed_in(user)
    device = enrolling(client)
    response = client.post(ENROL, {"code": totp(device), "next": NEXT})
    assert response.status_code == 302
    assert response["Location"] == f"{CODES}?next=%2Fclients%2F%3Fq%3Dada"
    device.refresh_from_db()
    assert device.confirmed
    # The session is signed in with it: pages open.
    assert client.get("/accounts/preferences/").status_code == 200


def test_a_wrong_first_code_is_refused():
    client = signed_in(operator())
    device = enrolling(client)
    response = client.post(ENROL, {"code": wrong_code(device)})
    assert response.status_code == 400
    assert "That code did not match" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/accounts/preferences/").status_code == 302  # still owes it


def test_ten_recovery_codes_are_shown_once():
    client = signed_in(operator())
    device = enrolling(client)
    client.post(ENROL, {"code": totp(device), "next": NEXT})
    page = client.get(f"{CODES}?next={NEXT}").content.decode()
    shown = re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)
    assert len(set(shown)) == 10
    assert f'href="{NEXT}"' in page  # continue to the page first asked for
    again = client.get(CODES).content.decode()
    assert re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", again) == []
    assert "<strong>10</strong> of 10 recovery codes left" in again


def test_enrolment_is_audited_and_completes_the_sign_in():
    client = signed_in(operator())
    device = enrolling(client)
    client.post(ENROL, {"code": totp(device)})
    records = list(AuditRecord.objects.order_by("id").values_list("action", "outcome", "reason"))
    assert records == [
        ("operator_2fa.enrol", SUCCESS, "authenticator app set up; 10 new recovery codes"),
        ("sign_in", SUCCESS, "password; second factor set up"),
    ]


def test_new_recovery_codes_replace_the_old_ones():
    user = operator()
    with_device(user)
    old = set(StaticToken.objects.values_list("token", flat=True))
    client = signed_in(user)
    client.post(reverse("accounts:login_code"), {"code": old.pop()})
    response = client.post(CODES)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    new = {c.replace("-", "") for c in re.findall(r"<code>([a-z2-7]{4}-[a-z2-7]{4})</code>", page)}
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == new
    assert check_code(user, old.pop()).device is None
    record = AuditRecord.objects.get(action="operator_2fa.recovery_codes")
    assert record.reason == "10 new recovery codes; the old ones no longer work"


def test_recovery_codes_are_single_use():
    user = operator()
    with_device(user)
    code = StaticToken.objects.values_list("token", flat=True).first()
    assert check_code(user, code).device is not None
    assert check_code(user, code).device is None


def test_a_set_up_device_is_proved_before_it_is_replaced():
    user = operator()
    with_device(user)
    response = signed_in(user).get(ENROL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_code"))


def test_moving_to_a_new_phone_replaces_the_old_app():
    user = operator()
    old = with_device(user)
    client = signed_in(user)
    client.post(reverse("accounts:login_code"), {"code": totp(old)})
    new = enrolling(client)
    client.post(ENROL, {"code": totp(new)})
    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [new.pk]
    record = AuditRecord.objects.get(action="operator_2fa.enrol")
    assert record.reason == "authenticator app replaced; 10 new recovery codes"


def test_preferences_say_when_it_is_off_and_offer_it(sandbox_only_2fa):
    page = signed_in(operator()).get("/accounts/preferences/").content.decode()
    assert '<span class="status">Off</span>' in page
    assert f'href="{ENROL}?next=' in page


def test_preferences_say_when_it_is_on_with_the_codes_left():
    user = operator()
    device = with_device(user)
    client = signed_in(user)
    client.post(reverse("accounts:login_code"), {"code": totp(device)})
    page = client.get("/accounts/preferences/").content.decode()
    assert '<span class="status status-verified">On</span>' in page
    assert "<strong>10</strong> recovery codes left" in page


def test_recovery_codes_need_a_device_first(sandbox_only_2fa):
    response = signed_in(operator()).get(CODES)
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
