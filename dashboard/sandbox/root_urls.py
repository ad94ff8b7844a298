"""The sandbox's own root URLconf: what ``sandbox_serve`` and the in-process transport route
through (see wsgi.py). The dashboard's URLconf never includes the sandbox: its keys are public.

Mounted at /sandbox/ so that the prefixes in credentials.py hold on either route.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("sandbox/", include("dashboard.sandbox.urls")),
]
