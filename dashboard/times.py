"""How a moment reads on every page: in the operator's zone, with the zone named beside it
("30 Nov 08:02:30 EST"), the same moment in UTC on hover.

Every time carries its zone, not only a note at the top of the page: a time copied into a
ticket or cropped in a screenshot at 3 a.m. keeps it, and two rows either side of a daylight
saving change say EST and EDT. Tables build thousands of these, so the zone's label is made
once per (zone, abbreviation) and looked up afterwards (`zone_abbreviation` is cached).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from django.utils import timezone

# What the zone database calls a zone it has no letters for: "+04", "-03", "+0545".
_NUMERIC = re.compile(r"^([+-])(\d\d)(\d\d)?$")


@lru_cache(maxsize=256)
def zone_abbreviation(tzname: str | None) -> str:
    """EST, CEST, IST, UTC as the zone database names them at that moment; a zone it names
    only by its offset ("+04", "-03", "+0545") reads UTC+4, UTC−3, UTC+5:45 (a true minus)."""
    if not tzname:
        return "UTC"
    numeric = _NUMERIC.match(tzname)
    if numeric is None:
        return tzname
    sign, hours, minutes = numeric.groups()
    text = f"UTC{'+' if sign == '+' else '−'}{int(hours)}"
    return f"{text}:{minutes}" if minutes and minutes != "00" else text


def offset_text(offset: dt.timedelta | None, *, minus: str = "−") -> str:
    """UTC+05:30, UTC−05:00, UTC for none; `minus="-"` for files read by programs."""
    minutes = int((offset or dt.timedelta()).total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else minus}{hours:02d}:{rest:02d}"


@dataclass(frozen=True, slots=True)
class Shown:
    """One moment as a page shows it."""

    local: dt.datetime  # in the operator's zone
    iso: str  # the <time datetime> value
    utc: str  # "2026-11-30 13:02:30", shown on hover with " UTC"
    zone: str  # "EST"


def shown(moment: dt.datetime, zone: dt.tzinfo | None = None) -> Shown:
    """`moment` in `zone` (default: the operator's), its zone's abbreviation and UTC text."""
    local = moment.astimezone(zone or timezone.get_current_timezone())
    return Shown(
        local=local,
        iso=local.isoformat(),
        utc=moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        zone=zone_abbreviation(local.tzname()),
    )


def time_html(moment: Shown, *lines: str) -> str:
    """<time> showing `lines` (the local time as display text, escaped here; more than one
    are broken with <br>), the zone after the last (a no-break space keeps it on the time's
    line), the moment in UTC on hover.

    A plain str, for tables that mark their whole body safe once (dashboard/tables.py)."""
    text = "<br>".join(escape(line) for line in lines)
    return (
        f'<time datetime="{moment.iso}" title="{moment.utc} UTC">{text}\xa0'
        f'<span class="tz">{escape(moment.zone)}</span></time>'
    )


def days_in(zone: dt.tzinfo | None = None, now: dt.datetime | None = None) -> str:
    """Whose days a date without a time means: "Days in America/New_York (EST)", the
    operator's zone by default, its abbreviation now; "Days in UTC" for UTC."""
    zone = zone or timezone.get_current_timezone()
    name = str(getattr(zone, "key", zone))
    if name in ("UTC", "Etc/UTC"):
        return "Days in UTC"
    abbreviation = zone_abbreviation((now or dt.datetime.now(dt.UTC)).astimezone(zone).tzname())
    return f"Days in {name}" if abbreviation == name else f"Days in {name} ({abbreviation})"


class CsvLocalTime:
    """The local-time cells of a CSV line: "2026-11-30 08:02:30" (which a spreadsheet reads
    as a time) and its zone, "America/New_York UTC-05:00" (an ASCII minus, for programs),
    each zone text made once per offset however long the file."""

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        self._names: dict[dt.timedelta | None, str] = {}

    def __call__(self, moment: dt.datetime) -> tuple[str, str]:
        local = moment.astimezone(self.zone)
        offset = local.utcoffset()
        name = self._names.get(offset)
        if name is None:
            key, text = str(self.zone), offset_text(offset, minus="-")
            name = self._names[offset] = key if key == text else f"{key} {text}"
        return local.strftime("%Y-%m-%d %H:%M:%S"), name
