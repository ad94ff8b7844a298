from __future__ import annotations

from django.conf import settings
from django.db import models


class Preference(models.Model):
    """Per-operator settings: the time zone times are shown in, and the country whose
    national format the phone search reads (blank: the deployment's PHONE_DEFAULT_REGION)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    time_zone = models.CharField(max_length=64, blank=True)
    phone_region = models.CharField(max_length=2, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone or 'default'})"
