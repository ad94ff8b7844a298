"""Where a page is in the list ("rows 51–100"), and starting the list at a date."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from urllib.parse import quote

import pytest

from dashboard.verifications.models import MirroredSession, Service
from tests.verifications import test_session_list as listing
from tests.verifications.fake_wavix import SERVICE_A

wavix, auditor, now = listing.wavix, listing.auditor, listing.now
pytestmark = pytest.mark.django_db


def hourly_rows(count: int, now: dt.datetime) -> None:
    service = Service.objects.get(service_id=SERVICE_A)
    MirroredSession.objects.bulk_create(
        MirroredSession(
            session_id=f"{i:032x}",
            service=service,
            created_at=now - dt.timedelta(hours=4, minutes=i * 60),
            phone_number=f"4479111{i:05d}",
            phone_last4=f"{i:05d}"[-4:],
            country="GB",
            status="verified",
            charge="0.0500",
            synced_at=now,
        )
        for i in range(count)
    )


@pytest.fixture
def many(wavix, auditor, now):
    auditor.get("/sessions/")  # the catalog and the fake's four sessions
    hourly_rows(300, now)
    return auditor


def page_of(client, query: str):
    response = client.get(f"/sessions/?range=30d&{query}")
    assert response.status_code == 200
    return response


def test_pages_say_which_rows_they_show(many):
    first = page_of(many, "")
    assert (first.context["page"].first_position, first.context["page"].last_position) == (1, 50)
    assert "Rows 1–50 of 304" in first.content.decode()

    second = page_of(many, f"after={quote(first.context['page'].next_cursor)}")
    assert second.context["page"].first_position == 51
    # Above the table, where a page change scrolls to, and beside the pager.
    assert second.content.decode().count("Rows 51–100 of 304") == 2

    third = page_of(many, f"after={quote(second.context['page'].next_cursor)}")
    back = page_of(many, f"before={quote(third.context['page'].previous_cursor)}")
    assert back.context["page"].first_position == 51
    assert [r.session_id for r in back.context["rows"]] == [
        r.session_id for r in second.context["rows"]
    ]


def test_jump_to_a_date_starts_at_that_days_newest_row(many, now):
    day = (now - dt.timedelta(days=5)).date()
    midnight_after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), dt.UTC)
    expected = (
        MirroredSession.objects.filter(created_at__lt=midnight_after)
        .order_by("-created_at", "-session_id")
        .first()
    )
    newer = MirroredSession.objects.filter(created_at__gte=midnight_after)

    response = page_of(many, f"jump={day}")

    rows = response.context["rows"]
    assert expected is not None
    assert rows[0].session_id == expected.session_id
    assert response.context["page"].first_position == newer.count() + 1
    assert response.context["page"].previous_cursor is not None


def test_jump_to_a_date_means_that_day_in_the_operators_zone(many, now):
    # A preset period's start is a UTC moment: the day must not be taken from it.
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    many.post("/accounts/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/sessions/"})
    day = (now - dt.timedelta(days=5)).astimezone(tokyo).date()
    midnight_after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tokyo)
    expected = (
        MirroredSession.objects.filter(created_at__lt=midnight_after)
        .order_by("-created_at", "-session_id")
        .first()
    )

    response = page_of(many, f"jump={day}")

    assert expected is not None
    assert response.context["rows"][0].session_id == expected.session_id


def test_jump_when_oldest_first_starts_at_that_days_first_row(many, now):
    day = (now - dt.timedelta(days=5)).date()
    midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
    expected = (
        MirroredSession.objects.filter(created_at__gte=midnight)
        .order_by("created_at", "session_id")
        .first()
    )

    response = page_of(many, f"sort=created&jump={day}")

    assert expected is not None
    assert response.context["rows"][0].session_id == expected.session_id


def test_jump_needs_a_time_sort_and_says_so(many):
    response = page_of(many, "sort=-charge&jump=2026-01-01")

    assert "Jump to a date works when sorted by time." in response.content.decode()
    assert response.context["page"].first_position == 1


def test_a_bad_jump_date_is_a_sentence_not_an_error(many):
    response = page_of(many, "jump=someday")

    assert "Jump to a date takes a day" in response.content.decode()
    assert response.context["page"].first_position == 1


def test_changing_a_filter_forgets_the_jump(many, now):
    day = (now - dt.timedelta(days=5)).date()
    response = page_of(many, f"jump={day}")

    assert "jump=" not in response.context["query_without_cursor"]
    assert all(name != "jump" for name, _ in response.context["jump_fields"])
