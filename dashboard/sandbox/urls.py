"""The sandbox's URLs, mounted at /sandbox/ by root_urls.py (see credentials.py)."""

from __future__ import annotations

from django.apps import apps
from django.urls import URLPattern, URLResolver, include, path

from dashboard.sandbox import control

urlpatterns: list[URLPattern | URLResolver] = [
    path("wavix/", include("dashboard.sandbox.wavix.urls")),
    path("_control/faults", control.faults),
    path("_control/clock", control.clock),
    path("_control/outbox", control.outbox),
    path("_control/reset", control.reset),
    path("_control/calls", control.calls),
]

if apps.is_installed("dashboard.sandbox.b2core"):
    urlpatterns.append(path("b2core/", include("dashboard.sandbox.b2core.urls")))
