"""Where a "next" or "go back" parameter may send an operator: a path on this site only.

``url_has_allowed_host_and_scheme`` alone lets through any string without a host, such as
"<b>" or "2026-11-30T10:00"; handed to ``redirect()`` those are read as view names, and
``reverse()`` fails on them (a 500). Only an absolute path is a place to go back to.
"""

from __future__ import annotations

import re

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

# Longer than any address of ours (a list with every filter set stays far below it).
MAX_LENGTH = 2000
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")


def local_path(candidate: str, request: HttpRequest) -> str:
    """``candidate`` when it is an absolute path on this site, else ""."""
    if (
        not candidate.startswith("/")
        or candidate.startswith("//")
        or len(candidate) > MAX_LENGTH
        or _UNSAFE.search(candidate)
    ):
        return ""
    if not url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return candidate
