from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User

from dashboard.accounts.models import Preference
from dashboard.accounts.zones import offset_text, zone_groups, zone_label
from tests.times_helpers import assert_every_time_names

pytestmark = pytest.mark.django_db
WINTER = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client):
    user = User.objects.create(username="tess")
    user.groups.add(Group.objects.get(name="viewer"))
    client.force_login(user)
    return client, user


def test_etc_zones_are_named_by_their_true_offset():
    assert zone_label("Etc/GMT+5", WINTER) == "UTC−05:00 (Etc/GMT+5)"


def test_common_zones_come_first_and_lead_with_the_city():
    (first_group, common), (_, every) = zone_groups(WINTER)
    assert first_group == "Common"
    labels = dict(common)
    assert labels["America/New_York"] == "New York · UTC−05:00 (America/New_York)"
    assert len(every) > 300
    assert dict(every)["Asia/Kolkata"] == "Asia/Kolkata · UTC+05:30"


def test_offsets_follow_daylight_saving():
    assert offset_text("Europe/London", WINTER) == "UTC"
    assert offset_text("Europe/London", WINTER.replace(month=7)) == "UTC+01:00"


def test_the_preferences_page_offers_zones_searchable_and_grouped(signed_in):
    client, _ = signed_in
    page = client.get("/accounts/preferences/?next=/sessions/").content.decode()
    assert '<optgroup label="Common">' in page
    assert '<option value="America/New_York">New York · UTC' in page
    assert 'data-filters="id_time_zone"' in page
    assert 'href="/sessions/">← Back' in page


def test_the_preferences_page_says_what_time_it_is_in_the_chosen_zone(signed_in):
    client, user = signed_in
    Preference.objects.create(user=user, time_zone="Asia/Kolkata")

    page = client.get("/accounts/preferences/").content.decode()

    assert "Times are shown in <strong>Asia/Kolkata</strong> (UTC+05:30): it is now " in page
    assert_every_time_names(page, "IST")


def test_the_preferences_page_refuses_an_outside_next(signed_in):
    client, _ = signed_in
    page = client.get("/accounts/preferences/?next=https://evil.example/").content.decode()
    assert 'href="https://evil.example/"' not in page
    assert 'value="https://evil.example/"' not in page
    assert 'href="/">← Back' in page


def test_an_operator_picks_a_phone_region(signed_in):
    client, user = signed_in
    response = client.post("/accounts/phone-region/", {"phone_region": "GB", "next": "/sessions/"})
    assert response.status_code == 302
    assert response["Location"] == "/sessions/"
    assert Preference.objects.get(user=user).phone_region == "GB"


def test_an_unknown_phone_region_is_refused(signed_in):
    client, user = signed_in
    client.post("/accounts/phone-region/", {"phone_region": "XX"})
    assert not Preference.objects.filter(user=user, phone_region="XX").exists()


def test_every_page_names_the_time_zone_in_the_top_bar(signed_in):
    client, user = signed_in
    Preference.objects.create(user=user, time_zone="Asia/Tokyo")
    for url in ("/accounts/preferences/", "/no-such-page/"):
        page = client.get(url).content.decode()
        assert "Times: Asia/Tokyo" in page, url


@pytest.mark.parametrize("next_", ["2026-11-30T10:00", "<b>", "///evil.example", "/\\evil.example"])
def test_the_preferences_page_goes_back_only_to_a_local_path(signed_in, next_):
    client, _ = signed_in
    response = client.get("/accounts/preferences/", {"next": next_})
    assert response.status_code == 200
    assert response.context["next"] == "/"
