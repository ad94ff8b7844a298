"""A scripted Wavix for mirror tests: real WavixClient, real HTTP semantics via MockTransport."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx

from dashboard.providers.http import RetryPolicy, Timeouts
from dashboard.providers.wavix import WavixClient

SERVICE_A = "a" * 32
SERVICE_B = "b" * 32


@dataclass
class FakeWavix:
    sessions: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    fail_with: int | None = None
    # Answers (this status, an HTML body) for single windows, keyed "<service_id> <day>".
    failing: dict[str, int] = field(default_factory=dict)
    # Services Wavix does not know: 400 with its message, as for a mistyped ID.
    unknown: set[str] = field(default_factory=set)
    delay: float = 0.0
    # Seconds before answering the service-list request.
    catalog_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Timelines by session ID, as the events endpoint answers them.
    events: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    events_fail_with: int | None = None

    def add(
        self,
        service_id: str,
        session_id: str,
        created_at: dt.datetime,
        *,
        phone: str = "447911123456",
        country: str = "GB",
        status: str = "verified",
        charge: str = "0.0500",
    ) -> None:
        self.sessions.setdefault(service_id, []).append(
            {
                "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "session_id": session_id,
                "phone_number": phone,
                "destination_country": country,
                "status": status,
                "charge": charge,
                "service_id": service_id,
                "service_name": self.names.get(service_id, f"Service {service_id[:4]}"),
            }
        )

    def set_status(self, session_id: str, status: str) -> None:
        for rows in self.sessions.values():
            for row in rows:
                if row["session_id"] == session_id:
                    row["status"] = status

    def add_event(
        self,
        session_id: str,
        created_at: dt.datetime,
        event: str,
        *,
        status: str = "success",
        charge: str = "0.0000",
        error: str | None = None,
    ) -> None:
        self.events.setdefault(session_id, []).append(
            {
                "created_at": created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "event": event,
                "status": status,
                "charge": charge,
                "error": error,
            }
        )

    def _events(self, session_id: str) -> httpx.Response:
        with self.lock:
            self.calls[f"events {session_id}"] += 1
        if self.events_fail_with:
            return httpx.Response(self.events_fail_with, text="<html>Bad gateway</html>")
        if session_id not in self.events:
            return httpx.Response(404, json={"success": False, "message": "Session not found"})
        return httpx.Response(200, json=self.events[session_id])

    def handle(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.strip("/").split("/")
        if parts[-1] == "events" and parts[-3] == "session":
            return self._events(parts[-2])
        if parts[-1] == "service" and parts[-2] == "two-fa":
            time.sleep(self.catalog_delay)
            return httpx.Response(404, json={"success": False, "message": "Not found"})
        service_id = parts[-2]
        query = parse_qs(request.url.query.decode())
        day_from = dt.date.fromisoformat(query["from"][0])
        day_to = dt.date.fromisoformat(query["to"][0])
        with self.lock:
            self.calls[f"{service_id} {day_from}"] += 1
        if self.delay:
            time.sleep(self.delay)
        status = self.fail_with or self.failing.get(f"{service_id} {day_from}")
        if status:
            return httpx.Response(status, text="<html>Bad gateway</html>")
        if service_id in self.unknown:
            message = f"2FA service with ID={service_id} cannot be found"
            return httpx.Response(400, json={"success": False, "message": message})
        rows = [
            r
            for r in self.sessions.get(service_id, [])
            if day_from <= dt.date.fromisoformat(r["created_at"][:10]) <= day_to
        ]
        if not rows:
            return httpx.Response(404, json={"success": False, "message": "Sessions not found"})
        return httpx.Response(
            200, content=json.dumps(rows).encode(), headers={"content-type": "application/json"}
        )

    def client(self) -> WavixClient:
        return WavixClient(
            "http://fake-wavix.test",
            "test-key",
            transport=httpx.MockTransport(self.handle),
            timeouts=Timeouts(connect=1, read=2, deadline=3),
            retry=RetryPolicy(max_retries=0),
        )
