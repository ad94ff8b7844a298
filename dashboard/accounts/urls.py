from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard.accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("time-zone/", views.set_time_zone, name="time_zone"),
    path("preferences/", views.preferences, name="preferences"),
    path("phone-region/", views.set_phone_region, name="phone_region"),
]
