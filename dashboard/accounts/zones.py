"""The time zone picker's list: common zones first, each with its current offset from UTC."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dashboard import times

# Where operators of a 2FA service are likely to sit; the full list follows them.
COMMON = (
    "UTC",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Bogota",
    "America/Halifax",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "Europe/Warsaw",
    "Africa/Johannesburg",
    "Africa/Cairo",
    "Europe/Athens",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def current_zone_name() -> str:
    """The active zone's key, "Etc/GMT+5". Django's get_current_timezone_name() gives a
    fixed-offset zone's abbreviation instead ("-05"), which no ZoneInfo loads (a 500)."""
    key: str | None = getattr(timezone.get_current_timezone(), "key", None)
    return key or timezone.get_current_timezone_name()


def offset_text(name: str, at: dt.datetime) -> str:
    """ "UTC+05:30", "UTC−05:00" (a true minus sign), "UTC" for none."""
    return times.offset_text(at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset())


def zone_label(name: str, at: dt.datetime, *, common: bool = False) -> str:
    """How a zone reads in the list. Etc/GMT+5 is UTC−5 (POSIX signs are reversed), so
    those are named by their offset; common zones lead with the city, as people type it."""
    offset = offset_text(name, at)
    if name == "UTC" or name.startswith("Etc/"):
        return f"{offset} ({name})"
    if common:
        city = name.rsplit("/", 1)[-1].replace("_", " ")
        return f"{city} · {offset} ({name})"
    return f"{name.replace('_', ' ')} · {offset}"


@lru_cache(maxsize=4)
def _groups(hour: dt.datetime) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    names = sorted(zoneinfo.available_timezones())
    common = tuple((n, zone_label(n, hour, common=True)) for n in COMMON if n in names)
    every = tuple((n, zone_label(n, hour)) for n in names)
    return (("Common", common), ("All time zones", every))


def zone_groups(
    now: dt.datetime | None = None,
) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """(group label, ((zone, label), ...)) pairs; offsets as of this hour (DST moves them)."""
    hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    return _groups(hour)


def zone_options_html(selected: str, now: dt.datetime | None = None) -> SafeString:
    """<optgroup>s of <option>s for a select, the chosen zone marked (once: in Common if there)."""
    marked = False
    parts = []
    for group, zones in zone_groups(now):
        options = []
        for name, label in zones:
            chosen = name == selected and not marked
            marked = marked or chosen
            options.append((name, " selected" if chosen else "", label))
        parts.append(
            format_html(
                '<optgroup label="{}">{}</optgroup>',
                group,
                format_html_join("", '<option value="{}"{}>{}</option>', options),
            )
        )
    return SafeString("".join(parts))
