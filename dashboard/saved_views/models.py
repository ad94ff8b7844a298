from __future__ import annotations

from django.conf import settings
from django.db import models

from dashboard.saved_views.lists import LIST_CHOICES
from dashboard.saved_views.query import MAX_NAME_LENGTH, MAX_QUERY_LENGTH


class SavedView(models.Model):
    """A named filter set of one list, private to its owner or shared with the team."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    list_name = models.CharField(max_length=20, choices=LIST_CHOICES)
    name = models.CharField(max_length=MAX_NAME_LENGTH)
    query = models.CharField(max_length=MAX_QUERY_LENGTH, blank=True)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"], name="saved_view_name_per_owner_list"
            )
        ]
        # The menu's second half: what others share on this list.
        indexes = [models.Index(fields=["list_name", "shared"], name="saved_view_shared")]

    def __str__(self) -> str:
        return f"{self.name} ({self.list_name})"
