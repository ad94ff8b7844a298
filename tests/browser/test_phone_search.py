from __future__ import annotations

import pytest

from dashboard.verifications.phone_search import WHOLE_NUMBERS_ONLY
from tests.browser.test_sessions_filters import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_typing_a_prefix_is_told_in_place_to_type_the_whole_number(
    live_server, page, socket_providers, screenshot
):
    sign_in(page, live_server, role="viewer")
    page.evaluate("window.notReloaded = true")

    # Typed key by key, not submitted: htmx sends the filters on keyup.
    page.locator("#id_phone").press_sequentially("+44 79")

    alert = page.locator("#results [role=alert]")
    alert.wait_for()
    screenshot("sessions-viewer-prefix")
    assert WHOLE_NUMBERS_ONLY in alert.inner_text()
    assert page.locator("table.sessions").count() == 0
    assert page.evaluate("window.notReloaded") is True
