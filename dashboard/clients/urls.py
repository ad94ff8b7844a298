from __future__ import annotations

from django.urls import path

from dashboard.clients import disable_views, views

app_name = "clients"

# Literal routes (the cross-client feed's too) go above "<client_id>/", which matches any word.
urlpatterns = [
    path("", views.client_list, name="list"),
    path("<str:client_id>/", views.client_page, name="client"),
    path("<str:client_id>/changes/<str:change_id>/", views.change_page, name="change"),
    path(
        "<str:client_id>/2fa/<str:method>/disable/",
        disable_views.disable_method,
        name="disable",
    ),
]
