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
