"""dashboard/times.py: the zone named beside every time, and the CSV's local-time cells."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.template import Context, Template
from django.utils import timezone

from dashboard.times import CsvLocalTime, days_in, shown, time_html, zone_abbreviation

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
WINTER = dt.datetime(2026, 1, 15, 14, 5, 9, tzinfo=dt.UTC)
SUMMER = WINTER.replace(month=7)


def test_a_zone_with_letters_is_named_by_them_and_follows_daylight_saving():
    assert shown(WINTER, NEW_YORK).zone == "EST"
    assert shown(SUMMER, NEW_YORK).zone == "EDT"
    assert shown(WINTER, dt.UTC).zone == "UTC"


def test_a_zone_named_only_by_its_offset_reads_as_utc_plus_or_minus():
    assert zone_abbreviation("+04") == "UTC+4"
    assert zone_abbreviation("-03") == "UTC−3"
    assert zone_abbreviation("+0545") == "UTC+5:45"
    assert shown(WINTER, zoneinfo.ZoneInfo("Asia/Dubai")).zone == "UTC+4"
    # POSIX signs are reversed in Etc/ names: Etc/GMT+5 is five hours behind UTC.
    assert shown(WINTER, zoneinfo.ZoneInfo("Etc/GMT+5")).zone == "UTC−5"


def test_the_time_element_names_the_zone_and_shows_utc_on_hover():
    moment = shown(WINTER, NEW_YORK)

    html = time_html(moment, "15 Jan <b>", "09:05:09")

    assert html == (
        '<time datetime="2026-01-15T09:05:09-05:00" title="2026-01-15 14:05:09 UTC">'
        '15 Jan &lt;b&gt;<br>09:05:09\xa0<span class="tz">EST</span></time>'
    )


def test_the_when_tag_shows_the_operators_zone():
    template = Template('{% load times %}{% when moment "j M H:i" %}|{% when nothing %}')

    with timezone.override(NEW_YORK):
        html = template.render(Context({"moment": SUMMER, "nothing": None}))

    assert html == (
        '<time datetime="2026-07-15T10:05:09-04:00" title="2026-07-15 14:05:09 UTC">'
        '15 Jul 10:05\xa0<span class="tz">EDT</span></time>|'
    )


def test_csv_local_time_names_the_zone_and_its_offset_on_each_side_of_a_dst_change():
    local = CsvLocalTime(NEW_YORK)

    assert local(WINTER) == ("2026-01-15 09:05:09", "America/New_York UTC-05:00")
    assert local(SUMMER) == ("2026-07-15 10:05:09", "America/New_York UTC-04:00")
    assert CsvLocalTime(dt.UTC)(WINTER) == ("2026-01-15 14:05:09", "UTC")


def test_days_in_names_the_zone_and_its_abbreviation_at_that_moment():
    assert days_in(NEW_YORK, WINTER) == "Days in America/New_York (EST)"
    assert days_in(NEW_YORK, SUMMER) == "Days in America/New_York (EDT)"
    assert days_in(zoneinfo.ZoneInfo("Asia/Dubai"), WINTER) == "Days in Asia/Dubai (UTC+4)"


def test_days_in_utc_says_utc_once():
    assert days_in(dt.UTC, WINTER) == "Days in UTC"
    assert days_in(zoneinfo.ZoneInfo("UTC"), WINTER) == "Days in UTC"


def test_days_in_is_the_operators_zone_by_default():
    with timezone.override(NEW_YORK):
        assert days_in(now=WINTER) == "Days in America/New_York (EST)"
