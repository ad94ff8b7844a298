"""What every page's times must look like: each <time> names its zone (dashboard/times.py)."""

from __future__ import annotations

import re

_TIME = re.compile(r"<time\b[^>]*>(.*?)</time>", re.S)


def times_on(html: str) -> list[str]:
    """The inner HTML of every <time> element on the page."""
    return _TIME.findall(html)


def assert_every_time_names(html: str, zone: str, *, at_least: int = 1) -> None:
    """Each <time> ends with the zone's abbreviation, and UTC is on hover."""
    found = times_on(html)
    assert len(found) >= at_least, found
    without = [inner for inner in found if not inner.endswith(f'<span class="tz">{zone}</span>')]
    assert without == [], f"times without {zone}: {without}"
    assert len(re.findall(r'<time\b[^>]*title="[^"]* UTC"', html)) == len(found)
