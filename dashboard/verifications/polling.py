"""A page showing days still being fetched asks for its results again until they land.

htmx polls the results region (the page's own URL, answered with the fragment); each answer
says whether to go on. Polling stops once nothing is being fetched, and after MAX_POLLS in
any case; without JavaScript the page offers a plain refresh link instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from dashboard.verifications.freshness import Freshness

# Also what tells a page refreshing itself from an operator's activity, which keeps a
# sign-in alive (dashboard/accounts/session_limits.py): the bulk progress poll sends it too.
HEADER = "X-Poll"
POLL_SECONDS = 2
# Two minutes: a lease outlives any one provider call, so by then something is wrong, and
# the page says so rather than asking forever.
MAX_POLLS = 60


@dataclass(frozen=True)
class Poll:
    made: int  # polls made before this answer; 0 on a page load
    active: bool  # this answer asks to be polled again
    seconds: int = POLL_SECONDS

    @property
    def next(self) -> int:
        return self.made + 1

    @property
    def gave_up(self) -> bool:
        return self.made >= MAX_POLLS


def polls_made(request: HttpRequest) -> int:
    """How many polls came before this request (its header), 0 for an ordinary request."""
    raw = request.headers.get(HEADER, "")
    if not raw.isascii() or not raw.isdigit():
        return 0
    return min(int(raw[:6]), MAX_POLLS)


def is_poll(request: HttpRequest) -> bool:
    return polls_made(request) > 0


def poll_for(request: HttpRequest, freshness: Freshness) -> Poll:
    made = polls_made(request)
    return Poll(made=made, active=bool(freshness.fetching) and made < MAX_POLLS)
