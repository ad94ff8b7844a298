from __future__ import annotations

from django.urls import path

from dashboard.verifications import session_views, views

app_name = "verifications"

urlpatterns = [
    path("", views.services, name="services"),
    path("services/register/", views.register, name="register"),
    path("services/<str:service_id>/unwatch/", views.unwatch, name="unwatch"),
    path("sessions/", session_views.session_list, name="sessions"),
    path("sessions/export.csv", session_views.session_export, name="export"),
]
