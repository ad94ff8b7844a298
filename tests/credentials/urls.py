"""The dashboard's URLs plus a bare page below /clients/, for the B2Core banner's tests."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import TemplateView

urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/_banner-probe/", TemplateView.as_view(template_name="base.html")),
    path("elsewhere/_banner-probe/", TemplateView.as_view(template_name="base.html")),
    path("", include("dashboard.urls")),
]
