from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client

from tests.verifications.conftest import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


def test_an_unknown_address_shows_the_layout_and_a_way_back(client, production):
    client.force_login(user_with_role("vera", "viewer"))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert '<header class="topbar">' in page
    assert "There is no page at this address" in page
    assert 'href="/">Go to Services</a>' in page
    assert 'aria-current="page"' not in page
    assert "/no-such-page/" in page


def test_an_unknown_address_shows_a_way_back_when_signed_out(client, production):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Go to Services" in response.content.decode()


def test_a_session_not_held_yet_says_why_and_what_to_do(client, production):
    client.force_login(user_with_role("vera", "viewer"))

    response = client.get("/sessions/" + "ab" * 16 + "/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "No session with this ID is held yet." in page
    assert "open the Sessions list for today" in page
    assert "There is no page at this address" not in page
    assert 'href="/">Go to Services</a>' in page


def test_a_server_error_shows_the_layout_without_the_database(production, monkeypatch):
    client = Client(raise_request_exception=False)

    def no_database(*args: object, **kwargs: object) -> None:
        raise AssertionError("the 500 page asked the database")

    monkeypatch.setattr(connections["default"], "cursor", no_database)
    response = client.get("/_broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert '<header class="topbar">' in page
    assert "Something went wrong on our side" in page
    assert 'href="/">Go to Services</a>' in page
    assert "Traceback" not in page
