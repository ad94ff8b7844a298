"""Every page at 390 px (a phone) and 1440 px: no sideways scroll of the page itself, nor
of the lists' tables (on a phone each row is a card), and a screenshot of each to look at."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User

from dashboard.accounts.models import Preference
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str, role: str, next_url: str = "/sessions/") -> None:
    user = User.objects.create_user(username, password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    page.goto(live_server.url + f"/accounts/login/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(next_url) + "$"))


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scroll)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


def offenders(page) -> list[str]:
    """The outermost elements reaching past the screen's right edge (for the message)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')]
              .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
              .filter(e => !e.parentElement.closest('.table-scroll, #results, #stats'))
              .slice(0, 3)
              .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"""
        )
    )


def table_overflow(page) -> int:
    """How many pixels the widest list table reaches past its region (0: none scrolls)."""
    return int(
        page.evaluate(
            """() => Math.max(0, ...[...document.querySelectorAll('.table-scroll')]
              .map(e => e.scrollWidth - e.clientWidth))"""
        )
    )


def card_label(page, selector: str) -> str:
    """The label shown before the first `selector` cell's value ("" if none is shown): its
    ::before content, and only if the value is drawn to the right of it."""
    return str(
        page.locator(selector).first.evaluate(
            """td => {
              const before = getComputedStyle(td, '::before');
              if (before.content === 'none' || before.display === 'none') return '';
              const text = document.createRange();
              text.selectNodeContents(td);
              const shift = text.getClientRects()[0].left - td.getBoundingClientRect().left;
              const label = (before.content.match(/^"([^"]*)"/) || [])[1] || '';
              return shift > 10 ? label : 'not drawn: ' + label + ' ' + shift;
            }"""
        )
    )


@pytest.mark.parametrize("width", [390, 1440])
def test_every_page_fits_the_screen(live_server, browser, socket_providers, settings, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    page = context.new_page()
    wide: dict[str, str] = {}

    def visit(name: str, url: str | None = None) -> None:
        if url is not None:
            page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-{width}.png"), full_page=True)
        if overflow(page) > 0:
            wide[name] = f"{overflow(page)} px: {', '.join(offenders(page))}"
        if table_overflow(page) > 0:
            wide[f"{name} (its table)"] = f"{table_overflow(page)} px"

    try:
        visit("login", "/accounts/login/")
        sign_in(page, live_server, "ada", "admin")
        # One of the longest zone names, in the top bar of every page and beside every time.
        Preference.objects.create(
            user=User.objects.get(username="ada"), time_zone="America/Argentina/Buenos_Aires"
        )
        visit("sessions", "/sessions/")
        assert page.locator("table.sessions tbody tr").count() > 0
        # Each row's status is on screen without scrolling the table (a card on a phone).
        status = page.locator("table.sessions tbody tr .status").first.bounding_box()
        assert status is not None
        assert status["x"] + status["width"] <= width, status
        # On a card each value follows its column's name; on a wide screen the header says it.
        phone_label = card_label(page, "table.sessions tbody tr td.phone")
        assert phone_label == ("Phone" if width < 600 else ""), phone_label
        # The header row stays for screen readers, hidden from sight on a phone.
        assert page.get_by_role("columnheader", name="Phone").count() == 1
        # A pending session if there is one: its page has the widest part, the action forms.
        links = "table.sessions tbody tr:has(.status-pending) a[href^='/sessions/']"
        if page.locator(links).count() == 0:
            links = "table.sessions tbody a[href^='/sessions/']"
        session_url = page.locator(links).first.get_attribute("href")
        page.locator(".saved-views > summary").click()
        visit("saved-views")
        page.goto(live_server.url + "/sessions/?range=30d&status=failed&status=pending")
        if width < 600:
            page.locator("details.filters-fold > summary").click()
        visit("sessions-filtered")
        page.locator("table.sessions tbody input[type=checkbox]").first.check()
        page.get_by_role("button", name="Cancel selected…").click()
        page.wait_for_url(re.compile(r"/bulk/\d+/$"))
        visit("bulk")
        visit("session", session_url)
        visit("cancel-form", session_url + "cancel/")
        visit("resend-form", session_url + "resend/?channel=sms")
        visit("services", "/")
        visit("audit", "/audit/")
        visit("clients", "/clients/")
        client_url = page.locator("table.clients tbody a[href^='/clients/']").first.get_attribute(
            "href"
        )
        visit("client", client_url)
        change = page.locator("table.changes tbody a").first
        change_url = change.get_attribute("href")
        change.click()
        page.locator("#drawer .drawer").wait_for()
        visit("client-change-drawer")
        visit("client-change", change_url)
        visit("clients-feed", "/clients/feed/")
        visit("console", "/console/")
        visit("preferences", "/accounts/preferences/?next=/sessions/")
        visit("not-found", "/no-such-page/")
        settings.ROOT_URLCONF = "tests.error_urls"
        visit("server-error", "/_broken/")
        assert page.locator("#error-title").text_content() == "Something went wrong on our side"
        settings.ROOT_URLCONF = "dashboard.urls"
        page.context.clear_cookies()
        sign_in(page, live_server, "vera", "viewer", next_url="/sessions/")
        visit("denied", "/audit/")
        assert page.locator("#denied-title").count() == 1
    finally:
        context.close()

    assert wide == {}, f"wider than {width} px: {wide}"
