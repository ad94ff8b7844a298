"""The dashboard's own 404 and 500 pages (its URLconf's handlers).

Named templates under errors/, not Django's default 404.html / 500.html: those would also
be picked up by the sandbox's URLconf, which has none of the dashboard's URL names.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered with no context: nothing in it may need the database or the request.
    return defaults.server_error(request, template_name="errors/500.html")
