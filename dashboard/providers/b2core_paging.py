"""Walking a B2Core list to its end: offset paging that trusts neither ``total`` nor ``limit``.

B2Core's own example shows ``"total": 1`` beside two records, and a server may cap ``limit``
silently, so a walk stops only on an **empty** page (specs/b2core-2fa.md). Two guards keep a
broken server from walking us forever: a record seen before is never yielded twice, and two
pages in a row with nothing new mean the server ignores ``offset`` (one such page is normal
at the end of a list that grew while we walked it); and a bound on the number of pages.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Final, Generic, TypeVar

from .b2core_records import Page, clamp_limit
from .errors import BadResponse, ProviderError

__all__ = ["MAX_PAGES", "PageBoundReached", "Walk"]

PROVIDER = "b2core"
# 1,000 pages is 100,000 records at limit 100 (50,000 if a server caps it at 50): more than
# any one client's 2FA history, and a large broker's client list. A server that ignores
# `offset` is caught on its second page, not here.
MAX_PAGES: Final = 1000

T = TypeVar("T")


class PageBoundReached(ProviderError):
    """A list still had records after ``pages`` pages: the walk stopped short of its end.

    ``received`` records were yielded before this was raised; they are not the whole list.
    """

    def __init__(self, message: str, *, pages: int, received: int) -> None:
        super().__init__(PROVIDER, message)
        self.pages = pages
        self.received = received


class Walk(Generic[T]):
    """Every record of one B2Core list, page by page; iterate it once.

    While and after iterating: ``total`` is the last ``total`` B2Core claimed (for display
    only; None when it sent none), ``pages`` the requests made, ``received`` the records
    yielded, ``repeated`` the records skipped because an earlier page had them, ``complete``
    whether an empty page was reached. Raises ``PageBoundReached`` when ``max_pages`` pages
    came back without an empty one, and ``BadResponse`` when two pages in a row hold nothing
    new.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], Page[T]],
        key: Callable[[T], Hashable],
        *,
        limit: int,
        max_pages: int,
        what: str,
    ) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self.total: int | None = None
        self.pages = 0
        self.received = 0
        self.repeated = 0
        self.complete = False
        self._fetch = fetch
        self._key = key
        self._limit = clamp_limit(limit)
        self._max_pages = max_pages
        self._what = what
        self._records = self._walk()

    def __iter__(self) -> Iterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._records)

    def _walk(self) -> Iterator[T]:
        seen: set[Hashable] = set()
        offset = stale = 0
        while self.pages < self._max_pages:
            page = self._fetch(self._limit, offset)
            self.pages += 1
            if page.total is not None:
                self.total = page.total
            if not page.items:
                self.complete = True
                return
            fresh = 0
            for item in page.items:
                key = self._key(item)
                if key in seen:
                    # Records shift between requests when the list changes while we walk it.
                    self.repeated += 1
                    continue
                seen.add(key)
                fresh += 1
                self.received += 1
                yield item
            stale = 0 if fresh else stale + 1
            if stale == 2:
                raise BadResponse(
                    PROVIDER,
                    f"B2Core sent two pages of {self._what} in a row (the last at offset "
                    f"{offset}) holding only records it had sent before: it seems to ignore "
                    f"`offset`. Stopped after {self.received}.",
                )
            # Whatever `limit` the server really applied, the next page starts after these.
            offset += len(page.items)
        raise PageBoundReached(
            f"B2Core still had more {self._what} after {self.pages} pages "
            f"({self.received} read); the rest was not read.",
            pages=self.pages,
            received=self.received,
        )
