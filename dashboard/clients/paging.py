"""Offset paging of one provider page at a time, trusting neither ``total`` nor ``limit``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.http import QueryDict

from dashboard.providers.b2core import Page

T = TypeVar("T")


@dataclass(frozen=True)
class Pager:
    offset: int
    shown: int
    about: int | None  # B2Core's claimed total: displayed as "about N", never relied on
    previous_query: str | None
    next_query: str | None


def pager(query: QueryDict, page: Page[T], requested_limit: int) -> Pager:
    """Links to the neighbouring pages of ``page``, fetched with ``requested_limit``.

    The next page starts after the records received (a server may cap ``limit`` silently).
    It is offered when this page was full, or when B2Core claims more: a wrong ``total``
    then costs at most one empty page, and never hides a full page's successor.
    """
    received = len(page.items)
    more = received >= requested_limit or (
        received > 0 and page.total is not None and page.total > page.offset + received
    )
    previous = None
    if page.offset > 0:
        previous = _with(query, max(0, page.offset - requested_limit))
    return Pager(
        offset=page.offset,
        shown=received,
        about=page.total,
        previous_query=previous,
        next_query=_with(query, page.offset + received) if more and received else None,
    )


def _with(query: QueryDict, offset: int) -> str:
    changed = query.copy()
    changed.pop("offset", None)
    if offset:
        changed["offset"] = str(offset)
    return changed.urlencode()
