"""The sessions page by keyboard and on a phone: skip link, "/" to search, a searchable
country list (a plain list without JavaScript), and filters folded behind a button."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_sessions_filters import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_tab_offers_a_skip_link_to_the_results(live_server, page, socket_providers):
    sign_in(page, live_server)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to results"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results"


def test_slash_focuses_the_phone_search(live_server, page, socket_providers):
    sign_in(page, live_server)
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("4479")
    assert page.locator("#id_phone").input_value() == "4479"


def test_the_country_list_narrows_as_one_types(live_server, page, socket_providers, screenshot):
    sign_in(page, live_server)
    box = page.get_by_label("Narrow the country list")
    box.fill("king")
    visible = page.eval_on_selector_all(
        "#id_country option", "os => os.filter(o => !o.hidden).map(o => o.textContent)"
    )
    assert visible == ["United Kingdom"]
    page.locator("#id_country").select_option("GB")
    page.wait_for_url(re.compile(r"country=GB"))
    screenshot("sessions-country-search")


def test_without_javascript_the_country_list_is_all_there(live_server, browser, socket_providers):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        assert not page.locator("#country-filter").is_visible()
        assert page.locator("#id_country option").count() > 240
        assert page.locator("#filters").is_visible()
    finally:
        context.close()


def test_on_a_phone_the_filters_fold_behind_a_button(live_server, browser, socket_providers):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server)
        assert not page.locator("#filters").is_visible()
        page.get_by_text("Filters", exact=True).click()
        assert page.locator("#filters").is_visible()
        page.locator("label.pill", has_text="Failed").click()
        page.wait_for_url(re.compile(r"status=failed"))
        # The fold stays open while one filters.
        assert page.locator("#filters").is_visible()
    finally:
        context.close()


def test_on_a_phone_the_clients_search_folds_behind_a_button(
    live_server, browser, socket_providers
):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(live_server.url + "/clients/")
        assert page.locator("table.clients tbody tr").first.is_visible()
        assert not page.locator("#filters").is_visible()
        page.locator("details.filters-fold > summary").click()
        assert page.locator("#id_email").is_visible()
    finally:
        context.close()


def test_a_services_preset_applies_when_picked(live_server, page, socket_providers):
    sign_in(page, live_server)
    page.goto(live_server.url + "/")
    page.locator("label.pill", has_text="Last 30 days").click()
    page.wait_for_url(re.compile(r"range=30d"))
    assert page.locator("input[name=range][value='30d']").is_checked()
