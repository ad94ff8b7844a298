"""Test-only root URLconf: the B2Core sandbox at its real mount, and nothing else."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("sandbox/b2core/", include("dashboard.sandbox.b2core.urls")),
]
