"""Every main page under the strict Content-Security-Policy, in Chromium: nothing refused.

A refused inline style, script, eval or htmx's injected <style> is reported by the browser
as a `securitypolicyviolation` event (caught by a script Playwright adds to every document,
which the CSP does not govern) and as a console error; either fails the test.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from tests.browser.test_every_page_on_a_phone import sign_in
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} refused ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
});
"""


class Violations:
    """What the browser refused, page by page."""

    def __init__(self, page) -> None:
        self.page = page
        self.found: dict[str, list[str]] = {}
        page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.found.setdefault(self.page.url, []).append(message.text)

    def collect(self) -> None:
        """The current document's events, read before it is left."""
        self.page.wait_for_load_state("networkidle")
        events = self.page.evaluate("window.__csp || []")
        if events:
            self.found.setdefault(self.page.url, []).extend(events)


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_init_script(LISTEN)
    page = context.new_page()
    yield page, Violations(page)
    context.close()


def visit(page, violations: Violations, url: str) -> None:
    page.goto(url)
    violations.collect()


def test_every_main_page_loads_with_nothing_refused(live_server, watched, socket_providers):
    page, violations = watched
    visit(page, violations, live_server.url + "/accounts/login/")
    sign_in(page, live_server, "ada", "admin")
    violations.collect()
    session_url = page.locator("table.sessions tbody a[href^='/sessions/']").first.get_attribute(
        "href"
    )
    for url in (
        "/",
        session_url,
        "/audit/",
        "/clients/feed/",
        "/accounts/preferences/?next=/sessions/",
        "/console/",
        "/no-such-page/",
        "/clients/",
    ):
        visit(page, violations, live_server.url + url)
    client_url = page.locator("table.clients tbody a[href^='/clients/']").first.get_attribute(
        "href"
    )
    visit(page, violations, live_server.url + client_url)

    assert violations.found == {}


def test_htmx_filtering_and_the_saved_views_menu_work_with_nothing_refused(
    live_server, watched, socket_providers
):
    page, violations = watched
    sign_in(page, live_server, "ada", "admin")
    page.evaluate("window.notReloaded = true")

    page.locator("label.pill", has_text="Failed").click()
    page.wait_for_url(re.compile(r"status=failed"))
    wait_until(
        page,
        "[...document.querySelectorAll('table.sessions tbody .status, #results .empty')]"
        ".every(e => e.classList.contains('empty') || e.textContent.trim() === 'failed')",
    )
    page.locator(".saved-views > summary").click()
    page.get_by_label("Save the current filters as").fill("Failed ones")
    page.locator(".saved-views-save").get_by_role("button", name="Save").click()
    page.locator(".saved-views-note").wait_for()
    page.go_back()
    wait_until(page, "!document.querySelector('#filters input[value=failed]').checked")

    # Swapped in place by htmx, not reloaded: htmx runs under the policy.
    assert page.evaluate("window.notReloaded") is True
    violations.collect()
    assert violations.found == {}


def test_the_django_admin_works_with_nothing_refused(live_server, watched):
    page, violations = watched
    User.objects.create_superuser("root", password="correct horse battery")
    # The admin's sign-in is the dashboard's (with its second factor, optional in tests).
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    violations.collect()
    for url in ("/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/add/"):
        visit(page, violations, live_server.url + url)
    page.locator("#user_form, #changelist, #group_form").first.wait_for()

    assert violations.found == {}


def test_a_refused_inline_style_is_caught(live_server, watched):
    # The listener works: without it the tests above would pass whatever the pages did.
    page, violations = watched
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    violations.collect()

    assert any("style-src" in found for found in violations.found.get(page.url, []))
