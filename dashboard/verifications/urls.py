from __future__ import annotations

from django.urls import path, re_path

from dashboard.verifications import (
    action_views,
    bulk_views,
    console_views,
    detail_views,
    session_views,
    views,
)

app_name = "verifications"

urlpatterns = [
    path("", views.services, name="services"),
    path("services/register/", views.register, name="register"),
    path("services/<str:service_id>/unwatch/", views.unwatch, name="unwatch"),
    path("sessions/", session_views.session_list, name="sessions"),
    path("sessions/export.csv", session_views.session_export, name="export"),
    path("sessions/bulk-cancel/", bulk_views.bulk_create, name="bulk_create"),
    path("bulk/<int:bulk_id>/", bulk_views.bulk_detail, name="bulk"),
    path("console/", console_views.console, name="console"),
    path("console/send/", console_views.console_send, name="console_send"),
    path("console/check/", console_views.console_check, name="console_check"),
    path("bulk/<int:bulk_id>/start/", bulk_views.bulk_start, name="bulk_start"),
    path("bulk/<int:bulk_id>/export.csv", bulk_views.bulk_export, name="bulk_export"),
    # Wavix session IDs are 32 hex characters; anything else is not a session.
    re_path(
        r"^sessions/(?P<session_id>[0-9a-fA-F]{32})/$",
        detail_views.session_detail,
        name="session",
    ),
    re_path(
        r"^sessions/(?P<session_id>[0-9a-fA-F]{32})/resend/$", action_views.resend, name="resend"
    ),
    re_path(
        r"^sessions/(?P<session_id>[0-9a-fA-F]{32})/cancel/$", action_views.cancel, name="cancel"
    ),
]
