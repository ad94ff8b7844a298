"""A sign-in ends after SESSION_IDLE_SECONDS without activity and SESSION_MAX_SECONDS in all;
a page polling for its results is not activity."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from dashboard.accounts.session_limits import SEEN_AT, SEEN_RESOLUTION, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

# A signed-in page that asks no provider anything.
PAGE = "/accounts/preferences/"
MINUTE = 60
HOUR = 60 * MINUTE


def viewer(password: str = "") -> User:
    user = User.objects.create_user("vera", password=password or None)
    user.groups.add(Group.objects.get_or_create(name="viewer")[0])
    return user


@pytest.fixture
def client_in() -> Client:
    client = Client()
    client.force_login(viewer())  # login() itself: the stamp comes from its signal
    return client


def backdate(client: Client, *, signed_in: float | None = None, seen: float | None = None):
    """Move the session's sign-in and last-seen times this many seconds into the past."""
    session = client.session
    now = time.time()
    if signed_in is not None:
        session[SIGNED_IN_AT] = now - signed_in
    if seen is not None:
        session[SEEN_AT] = now - seen
    session.save()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sent_to_sign_in(response, path: str) -> bool:
    location = urlsplit(response["Location"])
    return location.path == "/accounts/login/" and parse_qs(location.query)["next"] == [path]


def test_signing_in_through_the_form_stamps_the_session():
    viewer(password="correct horse battery")
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "vera", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    session = client.session
    assert abs(session[SIGNED_IN_AT] - time.time()) < 60
    assert session[SEEN_AT] == session[SIGNED_IN_AT]


def test_a_sign_in_within_both_limits_goes_on(client_in):
    backdate(client_in, signed_in=11 * HOUR, seen=29 * MINUTE)

    assert client_in.get(PAGE).status_code == 200
    assert signed_in(client_in)


def test_thirty_minutes_idle_signs_out_with_a_message(client_in):
    backdate(client_in, seen=30 * MINUTE + 1)

    response = client_in.get(PAGE + "?next=/sessions/")

    assert response.status_code == 302
    assert sent_to_sign_in(response, PAGE + "?next=/sessions/")
    assert not signed_in(client_in)
    page = client_in.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page


def test_twelve_hours_sign_out_even_an_active_operator(client_in):
    backdate(client_in, signed_in=12 * HOUR + 1, seen=10)

    response = client_in.get(PAGE)

    assert sent_to_sign_in(response, PAGE)
    assert not signed_in(client_in)
    page = client_in.get(response["Location"]).content.decode()
    assert "a sign-in lasts 12 hours at most" in page


def test_an_expired_htmx_request_is_sent_to_sign_in_with_hx_redirect(client_in):
    backdate(client_in, seen=31 * MINUTE)

    response = client_in.get(
        PAGE + "?next=/sessions/", headers={"HX-Request": "true", "X-Poll": "3"}
    )

    assert response.status_code == 200
    assert (
        response["HX-Redirect"]
        == "/accounts/login/?next=%2Faccounts%2Fpreferences%2F%3Fnext%3D%2Fsessions%2F"
    )
    assert not signed_in(client_in)


def test_activity_moves_the_idle_limit(client_in):
    backdate(client_in, seen=SEEN_RESOLUTION + 5)

    client_in.get(PAGE)

    assert time.time() - client_in.session[SEEN_AT] < 5


def test_a_page_polling_for_its_results_is_not_activity(client_in):
    backdate(client_in, seen=20 * MINUTE)

    response = client_in.get(PAGE, headers={"HX-Request": "true", "X-Poll": "1"})

    assert response.status_code == 200
    assert time.time() - client_in.session[SEEN_AT] >= 20 * MINUTE - 5


def test_polling_does_not_keep_an_idle_sign_in_alive(client_in):
    backdate(client_in, seen=25 * MINUTE)
    client_in.get(PAGE, headers={"HX-Request": "true", "X-Poll": "1"})
    backdate(client_in, seen=30 * MINUTE)

    response = client_in.get(PAGE, headers={"HX-Request": "true", "X-Poll": "2"})

    assert "HX-Redirect" in response
    assert not signed_in(client_in)


def test_activity_is_written_at_most_once_a_minute(client_in):
    backdate(client_in, seen=10)
    before = client_in.session[SEEN_AT]

    client_in.get(PAGE)

    assert client_in.session[SEEN_AT] == before


def test_a_session_from_before_the_limits_is_signed_out(client_in):
    session = client_in.session
    del session[SIGNED_IN_AT], session[SEEN_AT]
    session.save()

    response = client_in.get(PAGE)

    assert sent_to_sign_in(response, PAGE)
    assert not signed_in(client_in)


def test_the_limits_are_settings(client_in, settings):
    settings.SESSION_IDLE_SECONDS = 5 * MINUTE
    backdate(client_in, seen=5 * MINUTE + 1)

    response = client_in.get(PAGE)

    assert sent_to_sign_in(response, PAGE)
    page = client_in.get(response["Location"]).content.decode()
    assert "after 5 minutes without activity" in page


def test_the_session_cookie_lasts_no_longer_than_the_longest_sign_in(client_in):
    backdate(client_in, seen=SEEN_RESOLUTION + 5)  # so that this request writes the session

    response = client_in.get(PAGE)

    assert response.cookies["sessionid"]["max-age"] == 12 * HOUR
