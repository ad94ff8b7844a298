"""The client pages in Chromium: find a client, filter its history, open a change in the
drawer, disable a method with a reason; and how the pages look on a laptop and a phone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from dashboard.audit.models import SUCCESS, AuditRecord
from dashboard.providers.b2core import B2CoreClient
from dashboard.sandbox import credentials
from tests.browser.conftest import ARTIFACTS
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, role: str = "admin") -> None:
    user = User.objects.create_user("ada", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    page.goto(live_server.url + "/accounts/login/?next=/clients/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.locator("table.clients").wait_for()


def a_client_to_work_on(sandbox) -> tuple[str, str, str]:
    """(id, email, method): a client with a disable in its history and a method still on."""
    with B2CoreClient(
        sandbox.b2core_url,
        email=credentials.B2CORE_ADMIN_EMAIL,
        password=credentials.B2CORE_ADMIN_PASSWORD,
    ) as b2core:
        for client in b2core.iter_clients(sort_order="asc"):
            enabled = [m.name for m in b2core.get_methods(client.id) if m.is_enabled]
            changes = b2core.list_changes(client.id, is_enabled=False, limit=1).items
            if enabled and changes:
                return client.id, client.email, enabled[0]
    pytest.fail("no sandbox client has both a disable in its history and a method on")


CAPTIONS = {"google": "Google Authenticator", "sms": "SMS Confirmation"}


def test_find_a_client_filter_its_history_open_a_change_and_disable_a_method(
    live_server, page, socket_providers, screenshot
):
    client_id, email, method = a_client_to_work_on(socket_providers)
    sign_in(page, live_server)

    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"email="))
    page.locator(f'table.clients a[href="/clients/{client_id}/"] code').wait_for()
    assert page.locator("table.clients tbody tr").count() == 1
    page.locator(f'table.clients a[href="/clients/{client_id}/"] code').click()
    page.wait_for_url(re.compile(rf"/clients/{client_id}/$"))

    page.evaluate("window.notReloaded = true")
    page.locator("#id_state").select_option("disabled")
    page.wait_for_url(re.compile(r"state=disabled"))
    wait_until(
        page,
        "[...document.querySelectorAll('table.changes tbody .state')]"
        ".every(e => e.textContent.trim() === 'Disabled')",
    )
    assert page.locator("table.changes tbody .state").count() >= 1

    first = page.locator("table.changes tbody a").first
    change_id = (first.get_attribute("href") or "").rstrip("/").split("/")[-1]
    first.click()
    page.wait_for_url(re.compile(rf"/clients/{client_id}/changes/{change_id}/$"))
    drawer = page.locator("#drawer article.drawer")
    drawer.wait_for()
    assert "actor" in drawer.inner_text()
    assert page.evaluate("window.notReloaded === true")  # a drawer, not a new page

    page.goto(live_server.url + f"/clients/{client_id}/")
    page.locator(f'a[href="/clients/{client_id}/2fa/{method}/disable/"]').click()
    page.get_by_label("Reason").select_option("locked_out")
    page.get_by_label("Details").fill("ticket 4411, identity checked by video call")
    page.get_by_role("button", name=re.compile(r"^Disable ")).click()
    page.wait_for_url(re.compile(rf"/clients/{client_id}/$"))

    assert "Disabled." in page.locator(".messages").inner_text()
    row = page.locator(".method", has_text=CAPTIONS[method])
    assert row.locator(".state").inner_text() == "Disabled"
    entry = AuditRecord.objects.get(action="client.disable_2fa")
    assert (entry.outcome, entry.targets) == (SUCCESS, [client_id, method])


def test_the_change_is_a_page_of_its_own_without_javascript(live_server, browser, socket_providers):
    client_id, _, _ = a_client_to_work_on(socket_providers)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + f"/clients/{client_id}/")
        page.locator("#id_state").select_option("disabled")
        page.get_by_role("button", name="Apply").click()
        page.wait_for_url(re.compile(r"state=disabled"))
        page.locator("table.changes tbody a").first.click()
        page.wait_for_url(re.compile(r"/changes/\d+/$"))
        assert page.locator("article.drawer dl.fields").count() == 1
        page.get_by_role("link", name=f"← Client {client_id}").click()
        page.wait_for_url(re.compile(rf"/clients/{client_id}/$"))
    finally:
        context.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_screenshots_of_the_client_pages(live_server, browser, socket_providers, width):
    client_id, _, method = a_client_to_work_on(socket_providers)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    ARTIFACTS.mkdir(exist_ok=True)
    path = str(ARTIFACTS / f"clients-{{}}-{width}.png")
    try:
        sign_in(page, live_server)
        page.screenshot(path=path.format("list"), full_page=True)
        page.goto(live_server.url + f"/clients/{client_id}/")
        page.locator("table.changes a").first.click()
        page.locator("#drawer article").wait_for()
        page.screenshot(path=path.format("client"), full_page=True)
        page.goto(live_server.url + f"/clients/{client_id}/")
        page.screenshot(path=path.format("client-nodrawer"), full_page=True)
        page.goto(live_server.url + f"/clients/{client_id}/2fa/{method}/disable/")
        page.screenshot(path=path.format("disable"), full_page=True)
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
