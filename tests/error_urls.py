"""The dashboard's URLs plus a page that breaks, for the error pages' tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

# Django reads the handlers from the ROOT_URLCONF.
from dashboard.urls import handler403, handler404, handler500  # noqa: F401


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [
    path("_broken/", broken),
    path("", include("dashboard.urls")),
]
