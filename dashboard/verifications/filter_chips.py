"""The active filters as removable chips: what the table is filtered by, at a glance.

A 250-country list box hides what is selected; the chips say it in words, inside the part
of the page htmx swaps, so they follow every filter change. Each chip links to the same
URL without that one value (a full navigation, so the form and the table agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.http import QueryDict

from dashboard.verifications.countries import country_name
from dashboard.verifications.models import Service
from dashboard.verifications.session_filters import SessionCriteria

# Paging cursors belong to one filter: removing a filter starts from the first page.
# Where in the list a page starts: dropped whenever the filters change.
CURSORS = ("after", "before", "jump")


def without(query: QueryDict, *names: str) -> QueryDict:
    """A mutable copy of the query without these parameters."""
    remaining = query.copy()
    for name in names:
        remaining.pop(name, None)
    return remaining


@dataclass(frozen=True)
class FilterChip:
    label: str
    query_without: str


def filter_chips(
    query: QueryDict, criteria: SessionCriteria, services: Sequence[Service]
) -> list[FilterChip]:
    """One chip per active filter value, in the form's order."""
    names = {s.service_id: s.display_name for s in services}
    chips: list[FilterChip] = []
    for service_id in criteria.service_ids:
        chips.append(_chip(query, "service", service_id, names.get(service_id, service_id)))
    for status in criteria.statuses:
        chips.append(_chip(query, "status", status, status.capitalize()))
    for code in criteria.countries:
        chips.append(_chip(query, "country", code, country_name(code)))
    if criteria.phone is not None:
        chips.append(_chip(query, "phone", None, f"Phone: {criteria.phone.describe()}"))
    if criteria.min_charge is not None:
        chips.append(_chip(query, "min_charge", None, f"Charge ≥ {criteria.min_charge}"))
    return chips


def _chip(query: QueryDict, name: str, value: str | None, label: str) -> FilterChip:
    if value is None:
        return FilterChip(label=label, query_without=without(query, *CURSORS, name).urlencode())
    remaining = without(query, *CURSORS)
    remaining.setlist(name, [v for v in remaining.getlist(name) if v.upper() != value.upper()])
    return FilterChip(label=label, query_without=remaining.urlencode())
