"""``{% when moment "j M Y H:i" %}``: a time in the operator's zone, the zone named beside it
and UTC on hover (dashboard/times.py), as every page shows times."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe

from dashboard import times

register = template.Library()


@register.simple_tag
def when(moment: dt.datetime | None, pattern: str = "j M Y H:i:s") -> SafeString:
    """<time> for `moment` formatted with `pattern` (the date filter's), "" for none."""
    if not isinstance(moment, dt.datetime):
        return SafeString("")
    if moment.tzinfo is None:  # stored naive: the database's times are UTC
        moment = moment.replace(tzinfo=dt.UTC)
    shown = times.shown(moment)
    return mark_safe(times.time_html(shown, dateformat.format(shown.local, pattern)))  # noqa: S308 (escaped in time_html)


@register.filter
def zone(moment: dt.datetime | None) -> str:
    """The operator's zone's abbreviation at `moment` (EST or EDT), or now."""
    return times.shown(moment or dt.datetime.now(dt.UTC)).zone


@register.simple_tag
def days_in() -> str:
    """Whose days the page's dates are: "Days in America/New_York (EST)" (dashboard/times.py).
    Beside every date filter and date-only text, which mean whole days in the operator's zone."""
    return times.days_in()
