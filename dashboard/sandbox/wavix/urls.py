"""Wavix 2FA paths, below credentials.WAVIX_PREFIX (so the base URL ends in /sandbox/wavix)."""

from __future__ import annotations

from django.urls import URLPattern, path, re_path

from dashboard.sandbox.wavix import views

urlpatterns: list[URLPattern] = [
    path("v1/two-fa/verification", views.create_verification),
    path("v1/two-fa/verification/<str:session_id>", views.resend_code),
    path("v1/two-fa/verification/<str:session_id>/check", views.check_code),
    path("v1/two-fa/verification/<str:session_id>/cancel", views.cancel_verification),
    path("v1/two-fa/service", views.service_list),
    path("v1/two-fa/service/<str:service_id>/sessions", views.service_sessions),
    path("v1/two-fa/session/<str:session_id>/events", views.session_events),
    # Anything else answers in Wavix's JSON error shape, not Django's HTML 404 page.
    re_path(r"^(?P<path>.*)$", views.unknown_path),
]
