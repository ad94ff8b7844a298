from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard.accounts import two_factor_views, views
from dashboard.accounts.signin import SignInView

app_name = "accounts"

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("login/code/", two_factor_views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("time-zone/", views.set_time_zone, name="time_zone"),
    path("preferences/", views.preferences, name="preferences"),
    path("phone-region/", views.set_phone_region, name="phone_region"),
    path("two-factor/", two_factor_views.two_factor, name="two_factor"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes, name="recovery_codes"),
]
