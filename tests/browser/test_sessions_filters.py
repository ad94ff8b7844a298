from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, role: str = "auditor") -> None:
    user = User.objects.create_user("sam", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    page.goto(live_server.url + "/accounts/login/?next=/sessions/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.sessions").wait_for()


def statuses(page) -> set[str]:
    return set(page.locator("table.sessions tbody .status").all_inner_texts())


def test_a_filter_updates_the_table_in_place_and_back_restores_it(
    live_server, page, socket_providers, screenshot
):
    sign_in(page, live_server)
    screenshot("sessions")
    assert len(statuses(page)) > 1
    page.evaluate("window.notReloaded = true")

    page.locator("label.pill", has_text="Failed").click()
    page.wait_for_url(re.compile(r"status=failed"))
    wait_until(
        page,
        "[...document.querySelectorAll('table.sessions tbody .status, #results .empty')]"
        ".every(e => e.classList.contains('empty') || e.textContent.trim() === 'failed')",
    )
    screenshot("sessions-failed")

    assert page.evaluate("window.notReloaded") is True
    assert statuses(page) <= {"failed"}

    page.go_back()
    page.wait_for_url(re.compile(r"/sessions/$|/sessions/\?(?!.*status=failed)"))
    wait_until(
        page,
        "new Set([...document.querySelectorAll('table.sessions tbody .status')]"
        ".map(e => e.textContent.trim())).size > 1",
    )
    assert len(statuses(page)) > 1
    assert not page.locator("input[name=status][value=failed]").is_checked()


def test_the_list_works_without_javascript(live_server, browser, socket_providers):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.locator("input[name=status][value=failed]").check()
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"status=failed"))
        assert statuses(page) <= {"failed"}
    finally:
        context.close()
