"""The clients feed, mounted at /clients/feed/ (before the clients pages' own routes)."""

from __future__ import annotations

from django.urls import path

from dashboard.clients.feed import views

app_name = "clients_feed"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("export.csv", views.feed_export, name="export"),
]
