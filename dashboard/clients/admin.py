from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dashboard.clients.models import ClientChange, ClientSyncState


@admin.register(ClientChange)
class ClientChangeAdmin(admin.ModelAdmin[ClientChange]):
    """Read-only: the mirror is written by sync_clients alone."""

    list_display = ["time", "client_id", "change_id", "provider", "is_enabled", "rapid_toggle"]
    list_filter = ["provider", "is_enabled", "rapid_toggle"]
    ordering = ["-time", "-id"]
    show_full_result_count = False  # no COUNT(*) over a million changes

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClientSyncState)
class ClientSyncStateAdmin(admin.ModelAdmin[ClientSyncState]):
    list_display = ["client_id", "email", "synced_at", "error_kind", "last_error"]
    list_filter = ["error_kind"]
    search_fields = ["client_id", "email"]
