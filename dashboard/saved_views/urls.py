from __future__ import annotations

from django.urls import path

from dashboard.saved_views import views

app_name = "saved_views"

urlpatterns = [
    path("<slug:list_name>/save/", views.save, name="save"),
    path("<int:view_id>/rename/", views.rename, name="rename"),
    path("<int:view_id>/share/", views.share, name="share"),
    path("<int:view_id>/delete/", views.delete, name="delete"),
]
