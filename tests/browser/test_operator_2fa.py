"""An operator's second factor in Chromium, with the production default (auto, a real provider
configured): enrolment from the QR page's key, recovery codes, signing in again with a code
computed as an authenticator app would; and the locked-out sign-in page. Screenshots of each
screen at 1440 and 390 px go to test-artifacts/."""

from __future__ import annotations

import base64
import re
import time

import pyotp
import pytest
from django.contrib.auth.models import Group, User

from dashboard.audit.models import AuditRecord
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
NEXT = "/accounts/preferences/"


@pytest.fixture
def production_2fa(settings):
    settings.OPERATOR_2FA = "auto"
    # A real provider configured (never called: the pages here make no provider call).
    settings.WAVIX_BASE_URL = "http://wavix.example.invalid"
    settings.WAVIX_API_KEY = "test-key"


def shoot(page, name: str, width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"2fa-{name}-{width}.png"), full_page=True)


def password_step(page, live_server, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={NEXT}")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("width", [1440, 390])
def test_operator_enrols_then_signs_in_with_a_code(live_server, browser, production_2fa, width):
    user = User.objects.create_user("dora", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name="operator")[0])
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next={NEXT}")
        shoot(page, "sign-in", width)
        password_step(page, live_server)

        # Enrolment: the key typed into the "app" (pyotp), then its code.
        page.wait_for_url(re.compile(r"/accounts/two-factor/\?next="))
        page.get_by_text("Can't scan it? Type the key instead").click()
        shoot(page, "enrolment", width)
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        app = pyotp.TOTP(secret)
        page.get_by_label("6-digit code").fill(app.now())
        page.get_by_role("button", name="Turn on two-factor sign-in").click()

        page.wait_for_url(re.compile(r"/accounts/two-factor/recovery-codes/"))
        codes = page.locator("ol.recovery-codes code").all_inner_texts()
        assert len(set(codes)) == 10
        shoot(page, "recovery-codes", width)
        page.get_by_role("link", name="I have saved them: continue").click()
        page.wait_for_url(re.compile(re.escape(NEXT) + "$"))
        assert page.locator("#two-factor .status").inner_text() == "On"
        shoot(page, "preferences", width)

        # Signing in again: the code step, with the app's next code (this one was used).
        page.get_by_role("button", name="Sign out").click()
        password_step(page, live_server)
        page.wait_for_url(re.compile(r"/accounts/login/code/\?next="))
        page.get_by_role("textbox", name="Code").fill("000000")
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("alert").wait_for()
        shoot(page, "code-wrong", width)
        time.sleep(1.1)  # django-otp waits 1 s after a wrong code
        page.get_by_role("textbox", name="Code").fill(app.at(time.time() + 30))
        shoot(page, "code", width)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(re.compile(re.escape(NEXT) + "$"))
        assert page.get_by_role("heading", name="Preferences").is_visible()
        actions = list(AuditRecord.objects.order_by("id").values_list("action", "outcome"))
        assert actions == [
            ("operator_2fa.enrol", "success"),
            ("sign_in", "success"),
            ("sign_in", "failed"),
            ("sign_in", "success"),
        ]
    finally:
        context.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_the_locked_out_sign_in_page_says_when_to_try_again(
    live_server, browser, production_2fa, settings, width
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("dora", password=PASSWORD)
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 600 else 844})
    page = context.new_page()
    try:
        for number in range(5):
            password_step(page, live_server, password=f"wrong-{number}")
            page.get_by_role("alert").wait_for()
        alert = page.locator("#locked-out").inner_text()
        assert "Too many wrong passwords." in alert
        assert re.search(r"Try again in 15 minutes, at \d\d:\d\d \(UTC\)", alert)
        shoot(page, "locked-out", width)
    finally:
        context.close()


def test_the_key_shown_is_the_devices(live_server, page, production_2fa):
    # The grouped key on the page is the device's key, so typing it into an app works.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User.objects.create_user("dora", password=PASSWORD)
    password_step(page, live_server)
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    page.get_by_text("Can't scan it? Type the key instead").click()
    shown = page.locator("#totp-secret").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user__username="dora", confirmed=False)
    assert shown == base64.b32encode(device.bin_key).decode().rstrip("=")
