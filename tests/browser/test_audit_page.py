from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction

from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN
from dashboard.audit.trail import Actor, record
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seed_and_sign_in(page, live_server) -> None:
    for i, outcome in enumerate([SUCCESS, FAILED, UNKNOWN] * 4):
        with transaction.atomic():
            record(Actor(None, "otto"), "cancel", [f"s{i}"], outcome=outcome, reason="fraud")
    user = User.objects.create_user("aude", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name="auditor")[0])
    page.goto(live_server.url + "/accounts/login/?next=/audit/")
    page.get_by_label("Username").fill("aude")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.audit").wait_for()


def outcomes(page) -> set[str]:
    return set(page.locator("table.audit tbody .outcome").all_inner_texts())


def test_an_outcome_filter_swaps_the_results_in_place_and_back_restores_them(
    live_server, page, screenshot
):
    seed_and_sign_in(page, live_server)
    assert outcomes(page) == {"success", "failed", "unknown"}
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Outcome").select_option("failed")
    page.wait_for_url(re.compile(r"outcome=failed"))
    wait_until(
        page,
        "[...document.querySelectorAll('table.audit tbody .outcome')]"
        ".every(e => e.textContent.trim() === 'failed')",
    )
    assert outcomes(page) == {"failed"}
    assert page.evaluate("window.notReloaded === true")  # swapped, not reloaded
    screenshot("audit-failed")
    page.go_back()
    # The twelve seeded records and the auditor's own sign-in.
    wait_until(page, "document.querySelectorAll('table.audit tbody .outcome').length === 13")
    assert outcomes(page) == {"success", "failed", "unknown"}


def test_the_filters_work_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        seed_and_sign_in(page, live_server)
        page.get_by_label("Outcome").select_option("unknown")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"outcome=unknown"))
        assert outcomes(page) == {"unknown"}
    finally:
        context.close()
