"""The dashboard's own 404 and 500 pages (its URLconf's handlers).

Named templates under errors/, not Django's default 404.html / 500.html: those would also
be picked up by the sandbox's URLconf, which has none of the dashboard's URL names.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults


class NotHeld(Http404):
    """A 404 whose message is written for the operator (why the thing is not here, what to
    do): the 404 page shows it instead of "the link may be mistyped". Other 404s' messages
    (Django's "No X matches the given query.") are never shown."""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, NotHeld) and exception.args:
        context = {"explanation": str(exception.args[0])}
        return render(request, "errors/404.html", context, status=404)
    return defaults.page_not_found(request, exception, template_name="errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered with no context: nothing in it may need the database or the request.
    return defaults.server_error(request, template_name="errors/500.html")
