"""The sandbox as a WSGI application of its own: the sandbox's URLs, never the dashboard's.

Requests carry ``urlconf`` (Django's handler resolves them against it, not ROOT_URLCONF), so
the same settings and middleware serve the sandbox without the dashboard's pages, and the
dashboard's URLconf needs no sandbox in it.
"""

from __future__ import annotations

from typing import Any

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

URLCONF = "dashboard.sandbox.root_urls"


class SandboxRequest(WSGIRequest):
    def __init__(self, environ: dict[str, Any]) -> None:
        super().__init__(environ)
        self.urlconf = URLCONF


def is_sandbox_request(request: object) -> bool:
    """Whether Django routes this request through the sandbox's URLconf."""
    return getattr(request, "urlconf", None) == URLCONF


class SandboxWSGIHandler(WSGIHandler):
    request_class = SandboxRequest
