"""`Cache-Control: no-store` on every response Django renders.

Signed-in pages and CSV exports hold phone numbers, which must not stay in a browser's or a
proxy's cache; the sign-in page and the pages that send anonymous visitors to it get the
same, so that no signed-in answer can ever be served from a cache. Static files are
answered by WhiteNoise above this middleware and keep their own caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # max-age=0, no-cache, no-store, must-revalidate, private (and Expires now).
        add_never_cache_headers(response)
        return response
