"""Test-only root URLconf that exposes the sandbox, as the dashboard's once did: the deploy check
(tests/test_checks.py) must find it, whole or as a single view buried in an include."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from dashboard.sandbox import control

_deep: list[URLPattern | URLResolver] = [path("ping", control.clock)]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("dashboard.urls")),
    path("sandbox/", include("dashboard.sandbox.urls")),
    path("deep/", include(_deep)),
]
