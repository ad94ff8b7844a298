from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session

from tests.browser.test_sessions_filters import sign_in
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ticked(page, name: str) -> set[str]:
    return set(
        page.eval_on_selector_all(
            f"#filters input[name={name}]", "els => els.filter(e => e.checked).map(e => e.value)"
        )
    )


def statuses_in(url: str) -> set[str]:
    return set(parse_qs(urlsplit(url).query).get("status", []))


def wait_for_statuses(page, wanted: set[str]) -> None:
    page.wait_for_url(lambda url: statuses_in(url) == wanted)


def wait_for_results(page, status_filter: set[str]) -> None:
    wait_until(
        page,
        "wanted => [...document.querySelectorAll('table.sessions tbody .status')]"
        ".every(e => wanted.length === 0 || wanted.includes(e.textContent.trim()))",
        arg=sorted(status_filter),
    )


def wait_for_ticked(page, name: str, wanted: set[str]) -> None:
    # Back asks the server for the page again (htmx keeps no history cache): the form is
    # that address's once the answer is swapped in.
    wait_until(
        page,
        "([name, wanted]) => JSON.stringify([...document.querySelectorAll("
        "`#filters input[name=${name}]`)].filter(e => e.checked).map(e => e.value).sort())"
        " === JSON.stringify(wanted)",
        arg=[name, sorted(wanted)],
    )


def test_back_after_two_filter_changes_shows_the_form_of_that_address(
    live_server, page, socket_providers, screenshot
):
    sign_in(page, live_server)
    page.locator("label.pill", has_text="Failed").click()
    wait_for_statuses(page, {"failed"})
    wait_for_results(page, {"failed"})
    page.locator("label.pill", has_text="Verified").click()
    wait_for_statuses(page, {"failed", "verified"})
    wait_for_results(page, {"failed", "verified"})

    page.go_back()
    wait_for_statuses(page, {"failed"})
    wait_for_ticked(page, "status", {"failed"})
    wait_for_results(page, {"failed"})
    screenshot("sessions-back-restores-form")

    # The next change keeps the restored filter instead of silently dropping it.
    page.locator("label.pill", has_text="Expired").click()
    wait_for_statuses(page, {"failed", "expired"})
    wait_for_results(page, {"failed", "expired"})
    assert ticked(page, "status") == {"failed", "expired"}

    page.go_back()
    page.go_back()
    page.wait_for_url(re.compile(r"/sessions/$"))
    wait_for_ticked(page, "status", set())
    assert ticked(page, "range") == {"7d"}
    # Nothing of those pages (phone numbers) was kept in the browser's storage.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None
    assert page.evaluate("localStorage.length") == 0


def test_an_expired_sign_in_during_a_filter_change_goes_to_sign_in_and_back(
    live_server, page, socket_providers, screenshot
):
    sign_in(page, live_server)
    page.evaluate("window.notReloaded = true")
    # The server forgets the sign-in while the page is open (expiry, sign-out elsewhere).
    Session.objects.all().delete()

    page.locator("label.pill", has_text="Failed").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    screenshot("sessions-expired-sign-in")
    # A whole page load, not the sign-in form swapped into the results area.
    assert page.locator("#results").count() == 0
    assert page.evaluate("window.notReloaded") is None

    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/sessions/\?.*status=failed"))
    page.locator("table.sessions, #results .empty").first.wait_for()
    assert ticked(page, "status") == {"failed"}
    assert set(page.locator("table.sessions tbody .status").all_inner_texts()) <= {"failed"}
