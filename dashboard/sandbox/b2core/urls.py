"""B2Core sandbox URLs, relative to its mount (/sandbox/b2core/, see credentials.py).

Order matters where a literal segment and a ``{type}`` could both match: ``2fa/changes`` and
``2fa/wizard`` come before ``2fa/<type>``.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from dashboard.sandbox.b2core import views_admin, views_my, views_signin

CLIENT = "api/v2/clients/<int:client_id>/2fa"
MY = "api/v2/my"

urlpatterns: list[URLPattern | URLResolver] = [
    # Back Office
    path("api/v2/signin", views_admin.signin),
    path("api/v2/refresh", views_admin.refresh),
    path("api/v2/clients", views_admin.clients),
    path(CLIENT, views_admin.methods),
    path(f"{CLIENT}/changes", views_admin.changes),
    path(f"{CLIENT}/changes/<int:change_id>", views_admin.change),
    path(f"{CLIENT}/<str:kind>", views_admin.method),
    # Client sign-in
    path(f"{MY}/signin/wizard", views_signin.signin_wizard),
    path(f"{MY}/signin", views_signin.signin),
    path(f"{MY}/signin/2fa", views_signin.signin_2fa),
    path(f"{MY}/refresh", views_signin.refresh),
    path(f"{MY}/2fa/challenge", views_signin.challenge),
    path(f"{MY}/2fa/unauthorized/challenge", views_signin.unauthorized_challenge),
    # The client's own 2FA
    path(f"{MY}/2fa", views_my.status),
    path(f"{MY}/2fa/wizard", views_my.wizard_step),
    path(f"{MY}/2fa/changes", views_my.changes),
    path(f"{MY}/2fa/changes/<int:change_id>", views_my.change),
    path(f"{MY}/2fa/<str:kind>", views_my.method),
    path(f"{MY}/2fa/<str:kind>/enable/wizard", views_my.enable_wizard),
    path(f"{MY}/2fa/<str:kind>/disable/wizard", views_my.disable_wizard),
    # Sandbox only: the codes "sent", for tests (admin token).
    path("_outbox", views_admin.outbox),
    # Anything else: a JSON 404 as an API answers, not Django's HTML page.
    re_path(r"^.*$", views_admin.not_found),
]
