from __future__ import annotations

from django.db import models


class StoredTokenPair(models.Model):
    """The latest B2Core token pair for one host, sealed (see sealing.py).

    ``origin`` is a keyed fingerprint of the configured credentials this pair descends from:
    when an operator configures new ones, the stored pair no longer matches and is ignored.
    """

    host = models.CharField(max_length=500, unique=True)
    origin = models.CharField(max_length=64)
    sealed = models.TextField(editable=False)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"B2Core token pair for {self.host}"
