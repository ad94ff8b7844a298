"""One deadline for all the provider calls one request makes.

PROVIDER_DEADLINE bounds each call (providers/http.py), but a page or an action may make
several in turn: a cancel and its read-back, a disable and its read-back, a client's methods,
record and history. Each got the whole deadline again, so a slow provider held one request
for several deadlines: past the proxy's or the WSGI server's own timeout the operator got a
502, and an action's outcome was never recorded. Here the calls of one request share one
PROVIDER_DEADLINE, running from the first call (providers/deadline.py: a later call gets only
what is left of it); a call with no time left is not made, and says so.

Fetches a page hands to the page pool (verifications/page_sync.py) run on other threads,
outside this deadline: the page waits for them no longer than MIRROR_PAGE_SYNC_BUDGET.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from dashboard.providers.deadline import shared_deadline


class ProviderDeadlineMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with shared_deadline(settings.PROVIDER_DEADLINE):
            return self.get_response(request)
