"""What a shared or hand-typed link asks for, read as a person meant it, and said in words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.verifications import test_session_list as listing
from tests.verifications.fake_wavix import SERVICE_B
from tests.verifications.test_session_list import ids

# The sessions list's fixtures: a fake Wavix with four sessions, and an auditor.
wavix, auditor, now = listing.wavix, listing.auditor, listing.now

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_an_unknown_service_in_a_link_keeps_the_page_usable(wavix, auditor):
    response = auditor.get(f"/sessions/?service={'f' * 32}&status=failed")

    assert response.status_code == 200
    assert response.context["rows"] == []
    page = text(response)
    assert f"No watched service has the ID {'f' * 32}" in page
    assert "Select a valid choice" not in page
    assert "Some filters could not be used" not in page


def test_a_service_id_in_capitals_is_the_same_service(wavix, auditor):
    response = auditor.get(f"/sessions/?service={SERVICE_B.upper()}")

    assert ids(response) == ["b1"]


def test_a_malformed_service_id_is_explained(wavix, auditor):
    response = auditor.get("/sessions/?service=%3Cb%3E")

    page = text(response)
    assert "is not a service ID" in page
    assert "<b>" not in page


@pytest.mark.parametrize("query", ["country=fr&country=de", "country=+Fr+&country=De"])
def test_country_codes_in_any_case_are_accepted(wavix, auditor, query):
    response = auditor.get(f"/sessions/?{query}")

    assert ids(response) == ["a2", "b1"]
    page = response.content.decode()
    assert '<option value="FR" selected>' in page


def test_statuses_in_capitals_are_accepted(wavix, auditor):
    assert ids(auditor.get("/sessions/?status=Failed")) == ["a2"]


def test_a_custom_period_without_dates_says_what_it_shows(wavix, auditor):
    response = auditor.get("/sessions/?range=custom")

    today = timezone.localdate()
    week_ago = today - dt.timedelta(days=6)
    page = text(response)
    assert "No dates were entered for the custom period, so the last 7 days are shown" in page
    assert f"{week_ago.day} {week_ago:%b %Y} – {today.day} {today:%b %Y} (to now)" in page


def test_a_preset_with_dates_says_the_dates_were_not_used(wavix, auditor, now):
    day = (now - dt.timedelta(days=20)).date()
    response = auditor.get(f"/sessions/?range=7d&date_from={day}&date_to={day}")

    assert ids(response) == ["a1", "a2", "b1"]
    assert "the From and To dates are used only when “Custom” is chosen" in text(response)


def test_a_custom_end_date_is_shown_as_entered_and_included(wavix, auditor, now):
    day = (now - dt.timedelta(days=20)).date()
    response = auditor.get(f"/sessions/?range=custom&date_from={day}&date_to={day}")

    assert ids(response) == ["b2"]
    page = text(response)
    assert f'<span class="period">{day.day} {day:%b %Y}</span>' in page
    next_day = day + dt.timedelta(days=1)
    assert f"{next_day.day} {next_day:%b %Y} 00:00" not in page


def test_a_month_ends_on_its_last_day(wavix, auditor):
    response = auditor.get("/sessions/?range=custom&date_from=2026-05-01&date_to=2026-05-31")

    page = text(response)
    assert "1 May 2026 – 31 May 2026" in page
    assert "1 Jun" not in page


def test_only_an_end_date_shows_the_week_up_to_it(wavix, auditor, now):
    day = (now - dt.timedelta(days=20)).date()
    response = auditor.get(f"/sessions/?range=custom&date_to={day}")

    assert ids(response) == ["b2"]
    assert f"No From date: showing the 7 days up to {day.day} {day:%b %Y}" in text(response)


def test_the_services_page_names_its_period(wavix, auditor):
    response = auditor.get("/?range=custom&date_from=2026-05-01&date_to=2026-05-31")

    assert "1 May 2026 – 31 May 2026" in text(response)


def test_only_an_end_date_in_year_one_is_refused_not_a_500(wavix, auditor):
    response = auditor.get("/sessions/?range=custom&date_to=0001-01-02")

    assert response.status_code == 200
    assert "Choose a day from 1 Jan 2000 on" in text(response)
