from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from dashboard.saved_views.models import SavedView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str = "sam") -> None:
    user = User.objects.create_user(username, password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name="viewer")[0])
    page.goto(live_server.url + "/accounts/login/?next=/sessions/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.sessions").wait_for()


def panel_fits(page) -> bool:
    box = page.locator(".saved-views-panel").bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_a_view_saved_after_an_htmx_filter_change_keeps_that_filter(
    live_server, page, socket_providers, screenshot
):
    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, live_server)
    page.evaluate("window.notReloaded = true")
    page.locator("label.pill", has_text="Failed").click()
    page.wait_for_url(re.compile(r"status=failed"))

    page.locator(".saved-views > summary").click()
    page.get_by_label("Save the current filters as").fill("Failed <b>today</b>")
    page.get_by_label("Share with the team").first.check()
    page.locator(".saved-views-save").get_by_role("button", name="Save").click()
    page.locator(".saved-views-note").wait_for()

    assert page.evaluate("window.notReloaded") is True
    view = SavedView.objects.get()
    assert "status=failed" in view.query
    assert view.shared is True
    link = page.locator(".saved-views-list a", has_text="Failed <b>today</b>")
    assert link.get_attribute("href") == "/sessions/?" + view.query
    assert panel_fits(page)
    screenshot("saved-views-menu-1440")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/sessions/")
    page.locator(".saved-views > summary").click()
    page.locator(".saved-view-edit > summary").click()
    page.screenshot(path=str(screenshot("saved-views-menu-390")), full_page=False)
    assert panel_fits(page), page.locator(".saved-views-panel").bounding_box()

    link = page.locator(".saved-views-list a", has_text="Failed <b>today</b>")
    link.click()
    page.wait_for_url(re.compile(r"status=failed"))
    assert page.locator("#filters input[name=status][value=failed]").is_checked()


def test_saving_and_deleting_work_without_javascript(live_server, browser, socket_providers):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.locator("input[name=status][value=failed]").check()
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"status=failed"))

        page.locator(".saved-views > summary").click()
        page.get_by_label("Save the current filters as").fill("Failed")
        page.locator(".saved-views-save").get_by_role("button", name="Save").click()
        page.locator(".message-success", has_text="Saved “Failed”").wait_for()
        # The form's blank fields are not kept; what it filters by is.
        query = SavedView.objects.get().query
        assert "status=failed" in query
        assert "=&" not in query
        assert not query.endswith("=")

        page.locator(".saved-views > summary").click()
        page.locator(".saved-view-edit > summary").click()
        page.get_by_role("button", name="Delete").click()
        page.locator(".message-success", has_text="Deleted “Failed”").wait_for()
        assert not SavedView.objects.exists()
    finally:
        context.close()
