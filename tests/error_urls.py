"""The dashboard's URLs plus a page that breaks, for the error pages' tests."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from dashboard.urls import handler403  # noqa: F401 (Django reads it from the ROOT_URLCONF)


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns: list[URLPattern | URLResolver] = [
    path("_broken/", broken),
    path("", include("dashboard.urls")),
]
