from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from dashboard.accounts.models import Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = User.objects.create(username="tess")
    user.groups.add(Group.objects.get(name="viewer"))
    client.force_login(user)
    return client, user


def test_an_operator_picks_a_time_zone_and_pages_use_it(signed_in):
    client, user = signed_in
    response = client.post(
        "/accounts/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/sessions/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert Preference.objects.get(user=user).time_zone == "Asia/Tokyo"

    from django.test import RequestFactory

    from dashboard.accounts.middleware import OperatorTimezoneMiddleware

    seen = {}

    def view(request):
        seen["tz"] = str(timezone.get_current_timezone())
        from django.http import HttpResponse

        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    OperatorTimezoneMiddleware(view)(request)
    assert seen["tz"] == "Asia/Tokyo"


def test_an_unknown_time_zone_is_refused_with_a_message(signed_in):
    client, user = signed_in
    response = client.post("/accounts/time-zone/", {"time_zone": "Mars/Olympus"}, follow=False)
    assert response.status_code == 302
    assert not Preference.objects.filter(user=user).exists()


def test_the_return_address_cannot_leave_the_site(signed_in):
    client, _ = signed_in
    response = client.post(
        "/accounts/time-zone/", {"time_zone": "UTC", "next": "https://evil.example/phish"}
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_", ["2026-11-30T10:00", "+05:00", "<b>", "sessions/"])
def test_a_return_address_that_is_not_a_path_goes_home(signed_in, next_):
    # Found by tests/fuzz: redirect() read these as view names, and reverse() failed (a 500).
    client, _ = signed_in
    response = client.post("/accounts/time-zone/", {"time_zone": "UTC", "next": next_})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_the_phone_region_form_goes_home_for_a_return_address_that_is_not_a_path(signed_in):
    client, _ = signed_in
    response = client.post(
        "/accounts/phone-region/", {"phone_region": "GB", "next": "2026-11-30T10:00"}
    )
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_fixed_offset_zone_is_kept_and_pages_show_it(signed_in):
    client, user = signed_in
    client.post("/accounts/time-zone/", {"time_zone": "Etc/GMT+5", "next": "/"})
    assert Preference.objects.get(user=user).time_zone == "Etc/GMT+5"
    response = client.get("/accounts/preferences/")
    assert response.status_code == 200
    assert "UTC−05:00" in response.content.decode()
