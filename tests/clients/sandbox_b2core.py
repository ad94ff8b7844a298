"""Driving the B2Core sandbox served over a real socket: as its admin (the truth a sync must
match) and as one of its clients (the "my" wizards, with real TOTP codes)."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
import pyotp

from dashboard.providers.b2core import B2CoreClient
from dashboard.sandbox import credentials
from tests.conftest import SandboxServer


def admin(sandbox: SandboxServer) -> httpx.Client:
    """An httpx client signed in to the sandbox's Back Office (no faults: set them after)."""
    http = httpx.Client(base_url=sandbox.b2core_url, timeout=10)
    answer = http.post(
        "/api/v2/signin",
        json={
            "email": credentials.B2CORE_ADMIN_EMAIL,
            "password": credentials.B2CORE_ADMIN_PASSWORD,
        },
    )
    answer.raise_for_status()
    http.headers["Authorization"] = f"Bearer {answer.json()['accessToken']['token']}"
    return http


def _walk(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        answer = http.get(path, params={"limit": 100, "offset": len(items), "sort_by": "id"})
        answer.raise_for_status()
        page = answer.json()["data"]
        if not page:
            return items
        items += page


def truth(http: httpx.Client) -> set[tuple[str, int]]:
    """Every (client ID, change ID) the sandbox holds, read plainly, page by page."""
    found: set[tuple[str, int]] = set()
    for client in _walk(http, "/api/v2/clients"):
        for change in _walk(http, f"/api/v2/clients/{client['id']}/2fa/changes"):
            found.add((str(client["id"]), int(change["id"])))
    return found


def client_without_2fa(http: httpx.Client) -> dict[str, Any]:
    """A random client with both methods off (tests sharing the server rarely pick the same)."""
    clients = _walk(http, "/api/v2/clients")
    random.shuffle(clients)
    for client in clients:
        methods = http.get(f"/api/v2/clients/{client['id']}/2fa").json()["data"]
        if not any(m["isEnabled"] for m in methods):
            return client
    raise AssertionError("every sandbox client has 2FA on")


@dataclass
class Me:
    """One sandbox client, signed in through the Sign In Wizard."""

    http: httpx.Client
    key: str = ""

    @classmethod
    def sign_in(cls, sandbox: SandboxServer, email: str) -> Me:
        http = httpx.Client(base_url=sandbox.b2core_url, timeout=10)
        uuid = http.get("/api/v2/my/signin/wizard").json()["uuid"]
        answer = http.post(
            "/api/v2/my/signin",
            json={
                "uuid": uuid,
                "email": email,
                "password": credentials.B2CORE_CLIENT_PASSWORD,
                "device_fingerprint": "tests",
            },
        )
        assert answer.status_code == 202, answer.text
        http.headers["Authorization"] = f"Bearer {answer.json()['data']['accessToken']['token']}"
        return cls(http)

    def enable_google(self) -> None:
        wizard = self.http.get("/api/v2/my/2fa/google/enable/wizard").json()
        self.key = wizard["data"]["key"]
        code = pyotp.TOTP(self.key).now()
        body = {"uuid": wizard["uuid"], "action": "code", "code": code, "key": self.key}
        answer = self.http.post("/api/v2/my/2fa/wizard", json=body)
        assert answer.status_code == 202, answer.text

    def disable_google(self) -> None:
        wizard = self.http.get("/api/v2/my/2fa/google/disable/wizard").json()
        # The current step's code was spent enabling: the next step's is within the drift.
        code = pyotp.TOTP(self.key).at(time.time() + 30)
        answer = self.http.post(
            "/api/v2/my/2fa/wizard", json={"uuid": wizard["uuid"], "action": "code", "code": code}
        )
        assert answer.status_code == 202, answer.text


class Recorder(httpx.HTTPTransport):
    """A real socket transport that notes every request's URL."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[httpx.URL] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request.url)
        return super().handle_request(request)

    def change_requests(self) -> list[httpx.URL]:
        return [url for url in self.requests if url.path.endswith("/2fa/changes")]

    def clients_asked(self) -> Counter[str]:
        return Counter(
            url.path.split("/clients/")[1].split("/")[0] for url in self.change_requests()
        )


def recorded_client(sandbox: SandboxServer) -> tuple[B2CoreClient, Recorder]:
    recorder = Recorder()
    client = B2CoreClient(
        sandbox.b2core_url,
        email=credentials.B2CORE_ADMIN_EMAIL,
        password=credentials.B2CORE_ADMIN_PASSWORD,
        transport=recorder,
    )
    return client, recorder
