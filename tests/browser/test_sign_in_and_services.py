from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_signs_in_and_sees_the_services(live_server, page, socket_providers, screenshot):
    user = User.objects.create_user("dora", password="correct horse battery")
    user.groups.add(Group.objects.get_or_create(name="operator")[0])

    page.goto(live_server.url + "/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Services").wait_for()
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 3
    assert rows.first.locator("td.num").first.inner_text().replace(",", "").isdigit()
    screenshot("services")


def test_wrong_password_says_so(live_server, page):
    User.objects.create_user("dora", password="correct horse battery")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("dora")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("That username and password")
