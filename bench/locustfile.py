"""Simulated operators for bench/load.py: locust, headless, against gunicorn on 127.0.0.1.

Each simulated user signs in once through the real sign-in form (its own account), then
browses as its role does, with a think time between clicks: the Services page over various
periods, the sessions list with filters (status and country, a phone search, a deep page by
cursor), session pages with their timelines; auditors and admins the audit page and the
clients feed; operators and admins resend codes and cancel verifications through the real
forms (each with its CSRF token, one-time key and reason), on pending sessions the sandbox
made for them. Every request is named for its page type (locust groups by name) and recorded
with its response time to LOAD_SAMPLES (JSON) when locust quits, for bench/load.py.

Reads LOAD_PLAN (JSON, written by bench/load_prep.py); LOAD_WAIT_MIN and LOAD_WAIT_MAX set
the think time in seconds (default 2 to 6).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
# (page type, start as a UNIX time, response time in ms, error or "")
SAMPLES: list[tuple[str, float, float, str]] = []
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "2")), float(os.environ.get("LOAD_WAIT_MAX", "6"))
)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(r'name="key" value="([^"]+)"')
_SERIAL = {role: itertools.count() for role in PLAN["users"]}
# Wavix lets a session send 5 codes in all: the first and 4 resends.
RESENDS_PER_SESSION = 4


def _record(
    name: str, start_time: float, response_time: float, exception: Exception | None, **_: Any
) -> None:
    error = "" if exception is None else str(exception)[:200]
    SAMPLES.append((name, start_time, response_time, error))


def _dump(**_: Any) -> None:
    if path := os.environ.get("LOAD_SAMPLES"):
        Path(path).write_text(json.dumps(SAMPLES))


events.request.add_listener(_record)
events.quitting.add_listener(_dump)


def _services_url() -> str:
    period = random.choice(["7d", "7d", "30d", "90d", "365d"])
    if period != "365d":
        return f"/?range={period}"
    today = dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=364)
    return f"/?range=custom&date_from={first}&date_to={today}"


class Reader(HttpUser):
    """Signs in, then reads the services, the sessions and session pages."""

    abstract = True
    role = ""
    wait_time = WAIT

    def on_start(self) -> None:
        serial = next(_SERIAL[self.role])
        accounts = PLAN["users"][self.role]
        self.username = accounts[serial % len(accounts)]
        # A distinct client address each, for throttling keyed on it behind a proxy.
        self.client.headers["X-Forwarded-For"] = f"10.11.{serial // 250}.{serial % 250 + 1}"
        self.pending: list[str] = list(PLAN["pending"].get(self.username, []))
        self.resends: dict[str, int] = {}
        self.sign_in()

    # --- helpers -----------------------------------------------------------------------------

    def page(
        self, url: str, name: str, *, expect: str = "", headers: dict[str, str] | None = None
    ) -> str:
        """GET a page; a redirect (to sign-in, or a refusal) or a missing text is a failure."""
        response: ResponseContextManager
        with self.client.get(url, name=name, headers=headers, catch_response=True) as response:
            if response.history:
                response.failure(f"redirected to {response.url}")
            elif response.status_code != 200:
                response.failure(f"status {response.status_code} {response.error or ''}")
            elif expect and expect not in response.text:
                response.failure(f"{expect!r} not in the page")
            elif "no longer valid" in response.text:
                response.failure("cursor refused")
            return response.text

    def sign_in(self) -> None:
        form = self.client.get("/accounts/login/", name="sign-in form")
        token = _CSRF.search(form.text)
        data = {"username": self.username, "password": PLAN["password"], "next": "/"}
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        response: ResponseContextManager
        with self.client.post(
            "/accounts/login/",
            data=data,
            name="sign-in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302 or "/accounts/login" in where:
                response.failure(f"sign-in refused: {response.status_code} {where}")

    def act(self, path: str, name: str, fields: dict[str, str]) -> None:
        """Open an action's form, post it with its CSRF token and one-time key, and read the
        session page it leads back to: its message must say the action succeeded."""
        form = self.page(path, f"{name} form", expect='name="key"')
        token, key = _CSRF.search(form), _KEY.search(form)
        if not token or not key:
            return  # reported as a failure by page()
        data = {"csrfmiddlewaretoken": token.group(1), "key": key.group(1), **fields}
        response: ResponseContextManager
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 303:
                response.failure(f"status {response.status_code} {response.error or ''}")
                return
        self.page(
            response.headers["Location"], "session page after action", expect="message-success"
        )

    # --- what an operator does ---------------------------------------------------------------

    @task(4)
    def services(self) -> None:
        self.page(_services_url(), "services", expect="daily-chart")

    @task(3)
    def sessions_list(self) -> None:
        self.page("/sessions/", "sessions list")

    @task(3)
    def sessions_filter(self) -> None:
        query = {
            "range": random.choice(["24h", "7d", "30d", "90d"]),
            "status": random.choice(["failed", "expired", "canceled", "verified"]),
            "country": random.choice(PLAN["countries"]),
        }
        # Half of them as the filter form's htmx request (the table's partial).
        headers = {"HX-Request": "true"} if random.random() < 0.5 else None
        self.page("/sessions/?" + urlencode(query), "sessions filter", headers=headers)

    @task(2)
    def phone_search(self) -> None:
        phone = random.choice(PLAN["phones"])
        typed = random.choice([f"+{phone}", phone[:6], phone[-4:]])
        self.page(
            "/sessions/?" + urlencode({"range": "90d", "phone": typed}), "sessions phone search"
        )

    @task(1)
    def deep_page(self) -> None:
        cursor = PLAN["session_deep_cursor"]
        self.page("/sessions/?" + urlencode({"after": cursor}), "sessions deep page")

    @task(4)
    def session_page(self) -> None:
        session_id = random.choice(PLAN["held_sessions"])
        self.page(f"/sessions/{session_id}/", "session page", expect="Code sent via SMS")


class OperatorUser(Reader):
    """Reads, resends codes and cancels verifications."""

    weight = 3
    role = "operator"

    @task(1)
    def resend(self) -> None:
        if not self.pending:
            return
        session_id = self.pending[0]
        self.resends[session_id] = self.resends.get(session_id, 0) + 1
        if self.resends[session_id] == RESENDS_PER_SESSION:
            self.pending.pop(0)
        fields = {"channel": "sms", "reason": "user says no SMS arrived"}
        self.act(f"/sessions/{session_id}/resend/", "resend", fields)

    @task(1)
    def cancel(self) -> None:
        if len(self.pending) < 2:  # keep one for resends
            return
        session_id = self.pending.pop()
        self.act(
            f"/sessions/{session_id}/cancel/", "cancel", {"reason": "user_request", "note": ""}
        )


class AuditorUser(Reader):
    """Reads, and reads the audit trail and the clients feed; never acts."""

    weight = 1
    role = "auditor"

    @task(3)
    def audit(self) -> None:
        week_ago_40 = dt.date.today() - dt.timedelta(days=40)
        query = random.choice(
            [
                {},
                {},
                {"action": "cancel", "outcome": "failed"},
                {"actor": random.choice(PLAN["audit_actors"])},
                {"target": random.choice(PLAN["audit_targets"])},
                {"date_from": week_ago_40, "date_to": week_ago_40 + dt.timedelta(days=6)},
                {"after": PLAN["audit_deep_cursor"]},
            ]
        )
        self.page("/audit/?" + urlencode(query), "audit")

    @task(3)
    def clients_feed(self) -> None:
        query = random.choice(
            [
                {},
                {},
                {"method": "google", "state": "disabled"},
                {"rapid": "1", "date_from": ""},
                {"client": random.choice(PLAN["feed_clients"]), "date_from": ""},
                {"date_from": "", "after": PLAN["feed_deep_cursor"]},
            ]
        )
        self.page("/clients/feed/?" + urlencode(query), "clients feed")


class AdminUser(Reader):
    """Everything: reads the audit trail and the feed, and acts."""

    weight = 1
    role = "admin"
    audit = AuditorUser.audit
    clients_feed = AuditorUser.clients_feed
    resend = OperatorUser.resend
    cancel = OperatorUser.cancel
