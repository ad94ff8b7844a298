from __future__ import annotations

from django.contrib import admin

from dashboard.verifications.models import MirroredSession, Service, SyncWindow


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["service_id", "name", "source", "created_at"]


@admin.register(MirroredSession)
class MirroredSessionAdmin(admin.ModelAdmin[MirroredSession]):
    # Also the peer that bench/ measures the sessions page against.
    list_display = [
        "session_id",
        "created_at",
        "service",
        "phone_number",
        "country",
        "status",
        "charge",
    ]
    list_filter = ["status", "country", "service"]
    list_select_related = ["service"]
    search_fields = ["=phone_number"]
    ordering = ["-created_at"]


@admin.register(SyncWindow)
class SyncWindowAdmin(admin.ModelAdmin[SyncWindow]):
    list_display = ["service", "day", "fetched_at", "settled", "session_count", "last_error"]
    list_filter = ["settled"]
