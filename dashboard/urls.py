from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

# Any PermissionDenied renders the same access-denied page as @requires.
handler403 = "dashboard.accounts.access.permission_denied"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("dashboard.verifications.urls")),
    path("accounts/", include("dashboard.accounts.urls")),
    path("admin/", admin.site.urls),
]

if settings.SANDBOX_ENABLED:
    # The built-in provider stand-in; it has its own API keys and tokens.
    urlpatterns.append(path("sandbox/", include("dashboard.sandbox.urls")))
