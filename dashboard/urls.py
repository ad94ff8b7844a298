from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from dashboard.csp_reports import csp_report
from dashboard.health import healthz

# Any PermissionDenied renders the same access-denied page as @requires.
handler403 = "dashboard.accounts.access.permission_denied"
# In the site's layout with a way back; see dashboard/errors.py.
handler404 = "dashboard.errors.page_not_found"
handler500 = "dashboard.errors.server_error"

# Never the sandbox (its keys are public): it has its own URLconf, dashboard/sandbox/root_urls.py,
# reached in process or on its own port. A deploy check guards this (dashboard/checks.py).
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("dashboard.verifications.urls")),
    path("accounts/", include("dashboard.accounts.urls")),
    path("audit/", include("dashboard.audit.urls")),
    # Before any clients/<id>/ route, which "feed" would otherwise match.
    path("clients/feed/", include("dashboard.clients.feed.urls")),
    path("clients/", include("dashboard.clients.urls")),
    path("saved-views/", include("dashboard.saved_views.urls")),
    path("admin/", admin.site.urls),
    # For load balancers: no sign-in, no data. Answered by HealthzMiddleware before the Host
    # check and the session; the route names it and serves it if that middleware is removed.
    path("healthz", healthz, name="healthz"),
    # Browsers' Content-Security-Policy violation reports: open, no CSRF token, nothing stored.
    path("csp-report/", csp_report, name="csp_report"),
]
