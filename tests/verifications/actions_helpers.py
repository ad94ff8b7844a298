"""Shared steps of the action tests: a pending verification in the socket sandbox, mirrored."""

from __future__ import annotations

import re

from django.test import Client

from dashboard.connections import wavix_client
from tests.conftest import SandboxServer

KEY = re.compile(r'name="key" value="([0-9a-f]{32})"')


def start_pending(client: Client, sandbox: SandboxServer) -> str:
    """Create a verification at the sandbox and sync today's window; return its ID."""
    return start_pendings(client, sandbox, 1)[0]


def start_pendings(client: Client, sandbox: SandboxServer, count: int) -> list[str]:
    """Create verifications at the sandbox, then sync today's window once; their IDs."""
    wavix = wavix_client()
    services = wavix.list_services() or []
    login = next(s for s in services if s.name == "Acme Login")
    created = [
        wavix.create_verification(login.service_id, f"4479111234{n:02d}", "sms").session_id
        for n in range(count)
    ]
    # The creates are not the dashboard's doing: only what follows counts.
    sandbox.reset()
    assert client.get("/sessions/?range=today").status_code == 200
    return created


def form_key(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.content[:500]
    match = KEY.search(page.content.decode())
    assert match, "the form carries no one-time key"
    return match.group(1)


def writes_to(sandbox: SandboxServer, session_id: str, suffix: str = "") -> int:
    """How many write calls for this session reached the sandbox (faulted ones included)."""
    path = f"/v1/two-fa/verification/{session_id}{suffix}"
    return sum(1 for call in sandbox.calls(path) if call["path"].endswith(path))
