"""Test support: drive the B2Core sandbox over HTTP (Django's test client) in its own words.

Kept in the app rather than under tests/ so that any test (the dashboard's end-to-end ones
too) can import it under one module name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.test import Client as HttpClient

from dashboard.sandbox import credentials
from dashboard.sandbox.b2core.models import Client

PREFIX = credentials.B2CORE_PREFIX

# Fixture types (see tests/sandbox/b2core/conftest.py).
MakeClient = Callable[..., Client]
ClientToken = Callable[[Client], str]
MoveClock = Callable[[timedelta], None]
SecretOf = Callable[[Client], str]


@dataclass
class Api:
    """JSON calls below /sandbox/b2core, optionally with a bearer token."""

    http: HttpClient

    def _send(self, method: str, path: str, body: Any, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        send = getattr(self.http, method)
        data = "" if body is None else body
        return send(PREFIX + path, data=data, content_type="application/json", headers=headers)

    def get(self, path: str, *, token: str | None = None, **params: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.get(PREFIX + path, data=params, headers=headers)

    def post(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self._send("post", path, body, token)

    def put(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self._send("put", path, body, token)

    def patch(self, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return self._send("patch", path, body, token)

    def outbox(self, admin_token: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get("/_outbox", token=admin_token, **params)
        if response.status_code != 200:
            raise AssertionError(f"{response.status_code}: {response.content!r}")
        return list(response.json()["data"])

    def last_code(self, admin_token: str, **params: Any) -> str:
        return str(self.outbox(admin_token, **params)[0]["code"])

    def changes_of(self, admin_token: str, client: Client, **params: Any) -> list[dict[str, Any]]:
        """The client's change history as the Back Office shows it."""
        response = self.get(f"/api/v2/clients/{client.id}/2fa/changes", token=admin_token, **params)
        if response.status_code != 200:
            raise AssertionError(f"{response.status_code}: {response.content!r}")
        return list(response.json()["data"])
