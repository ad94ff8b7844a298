"""National numbers read with the operator's region, or the deployment's default."""

from __future__ import annotations

import pytest

from dashboard.accounts.models import Preference
from tests.verifications import test_session_list as listing
from tests.verifications.conftest import user_with_role
from tests.verifications.test_session_list import ids

wavix, now = listing.wavix, listing.now
pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_default_region_reads_a_national_number(wavix, client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    client.force_login(user_with_role("aude", "auditor"))

    response = client.get("/sessions/?phone=07911+123456")

    assert ids(response) == ["a1"]
    assert "Phone “07911 123456” read as the United Kingdom number +44 7911 123456." in text(
        response
    )


def test_the_operators_region_wins_over_the_default(wavix, client, settings):
    settings.PHONE_DEFAULT_REGION = "US"
    user = user_with_role("aude", "auditor")
    Preference.objects.create(user=user, phone_region="FR")
    client.force_login(user)

    response = client.get("/sessions/?phone=06+12+34+56+78")

    assert ids(response) == ["a2"]
    assert "read as the France number +33 6 12 34 56 78" in text(response)


def test_a_viewer_finds_a_whole_national_number(wavix, client, settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    client.force_login(user_with_role("vera", "viewer"))

    assert ids(client.get("/sessions/?phone=07911+123456")) == ["a1"]


def test_without_a_region_a_national_number_is_explained(wavix, client):
    client.force_login(user_with_role("aude", "auditor"))

    response = client.get("/sessions/?phone=07911+123456")

    assert "rows" not in response.context
    assert "written as a national number" in text(response)
