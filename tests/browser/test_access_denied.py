from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"


def user(username: str, role: str | None = None, **fields) -> User:
    person = User.objects.create_user(username, password=PASSWORD, **fields)
    if role:
        person.groups.add(Group.objects.get_or_create(name=role)[0])
    return person


def sign_in(page, live_server, username: str, next_: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_user_without_a_role_sees_whom_to_ask(live_server, page, screenshot):
    user("ada", "admin", email="ada@example.com", first_name="Ada", last_name="Lovelace")
    user("newbie")

    sign_in(page, live_server, "newbie", "/sessions/")

    page.get_by_role("heading", name="Your account has no role yet").wait_for()
    assert page.get_by_role("link", name="ada@example.com").get_attribute("href") == (
        "mailto:ada@example.com"
    )
    assert page.get_by_role("navigation", name="Main").count() == 0
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        screenshot(f"denied-no-role-{width}")
        # Nothing wider than the window: no sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.locator("main").get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()


def test_losing_the_role_then_filtering_shows_the_denied_page(
    live_server, page, socket_providers, screenshot
):
    viewer = user("vera", "viewer")
    sign_in(page, live_server, "vera", "/sessions/")
    page.locator("table.sessions").wait_for()

    viewer.groups.clear()
    page.locator("label.pill", has_text="Failed").click()

    # The htmx request is refused; the whole page, not the results area, becomes the 403 page.
    page.get_by_role("heading", name="Your account has no role yet").wait_for()
    assert re.search(r"/sessions/\?.*status=failed", page.url)
    assert page.locator("table.sessions").count() == 0


def test_a_refused_htmx_post_reloads_the_page_with_the_reason(
    live_server, page, socket_providers, screenshot
):
    user("vera", "viewer")
    sign_in(page, live_server, "vera", "/sessions/")
    page.locator("table.sessions").wait_for()

    page.evaluate(
        "htmx.ajax('POST', '/services/register/', {values: {service_id: 'a'.repeat(32)}})"
    )

    page.get_by_text("To register a service you need the operator or admin role.").wait_for()
    page.locator("table.sessions").wait_for()
    screenshot("denied-htmx-post")


def test_a_viewer_refused_an_export_can_go_back_to_the_services(
    live_server, page, socket_providers, screenshot
):
    user("vera", "viewer")
    sign_in(page, live_server, "vera", "/sessions/export.csv")

    page.get_by_role("heading", name="You don't have access to this page").wait_for()
    page.get_by_text("To export sessions you need the auditor or admin role.").wait_for()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("denied-viewer-export-390")

    page.get_by_role("link", name="Back to the services").click()
    page.get_by_role("heading", name="Services").wait_for()
