from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from dashboard.clients.models import ClientChange
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_and_sign_in(page, live_server) -> None:
    now = timezone.now()
    for i in range(12):
        ClientChange.objects.create(
            client_id=f"{100 + i % 3}",
            change_id=i + 1,
            provider=("google", "sms")[i % 2],
            is_enabled=i % 3 != 0,
            time=now - dt.timedelta(hours=i + 1),
            rapid_toggle=i in (4, 5),
            synced_at=now,
        )
    user = User.objects.create_user("aude", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name="auditor")[0])
    page.goto(live_server.url + "/accounts/login/?next=/clients/feed/")
    page.get_by_label("Username").fill("aude")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.feed").wait_for()


def changes(page) -> list[str]:
    return list(page.locator("table.feed tbody tr td:nth-child(2) .status").all_inner_texts())


def test_a_state_filter_swaps_the_results_in_place(live_server, page, screenshot):
    seed_and_sign_in(page, live_server)
    assert set(changes(page)) == {"Enabled", "Disabled"}
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Change").select_option("disabled")

    page.wait_for_url(re.compile(r"state=disabled"))
    wait_until(
        page,
        "[...document.querySelectorAll('table.feed tbody .status')]"
        ".every(e => e.textContent.trim() === 'Disabled')",
    )
    assert changes(page) == ["Disabled"] * 4
    assert page.evaluate("window.notReloaded === true")  # swapped, not reloaded
    screenshot("clients-feed-disabled")


def test_the_rapid_toggle_filter_works_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        seed_and_sign_in(page, live_server)
        page.get_by_label("Rapid toggles only").check()
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"rapid=1"))
        assert page.locator("table.feed tbody tr.change-rapid").count() == 2
        assert page.locator("table.feed tbody tr").count() == 2
    finally:
        context.close()
