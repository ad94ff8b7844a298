from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dashboard.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin[AuditRecord]):
    """Read-only: the table is append-only, and only `record()` appends."""

    list_display = ["id", "created_at", "actor_username", "action", "first_target", "outcome"]
    list_filter = ["outcome"]
    ordering = ["-id"]
    show_full_result_count = False  # no COUNT(*) over the whole log

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
