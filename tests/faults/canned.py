"""What the fault server answers when it answers well: one Wavix service with two pending
sessions today, one B2Core client with two 2FA methods and one change, in the providers'
wire shapes (specs/wavix-2fa-notes.md, specs/b2core-2fa.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

SERVICE = "0123456789abcdef0123456789abcdef"
NEW_SERVICE = "abcdefabcdefabcdefabcdefabcdef01"
SESSION = "fedcba9876543210fedcba9876543210"
SESSION_B = "fedcba9876543210fedcba98765432bb"  # a second pending one, for bulk cancels
CREATED_SESSION = "00112233445566778899aabbccddeeff"
OTHER_SESSION = "ffeeddccbbaa99887766554433221100"  # NEW_SERVICE's
PHONE = "447911123456"
CLIENT = "1001"
CHANGE = "501"
WAVIX = "/wavix"
B2CORE = "/b2core"


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def session_created_at() -> dt.datetime:
    """A minute ago: today (UTC), pending, its code still alive."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return max(now - dt.timedelta(minutes=1), now.replace(hour=0, minute=0, second=0))


def _session(
    created: dt.datetime, service: str = SERVICE, session: str = SESSION
) -> dict[str, Any]:
    return {
        "session_id": session,
        "service_id": service,
        "service_name": "Fault login",
        "phone_number": PHONE,
        "destination_country": "GB",
        "status": "pending",
        "charge": "0.0500",
        "created_at": _iso(created),
    }


def _client() -> dict[str, Any]:
    return {
        "id": int(CLIENT),
        "email": "ada@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "createTime": "2024-03-01T10:00:00+00:00",
    }


def _method(name: str, enabled: bool) -> dict[str, Any]:
    return {"name": name, "caption": "SMS" if name == "sms" else "Google", "isEnabled": enabled}


def _change() -> dict[str, Any]:
    return {
        "id": int(CHANGE),
        "provider": "sms",
        "isEnabled": True,
        "time": "2024-03-02T10:00:00+00:00",
        "ip": "192.0.2.1",
    }


_NOT_FOUND = (404, {"success": False, "message": "Not found"})
_WAVIX_VERIFICATION = re.compile(r"^/v1/two-fa/verification/([0-9a-f]{32})$")


def answer(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
    """The healthy answer to a request, by provider and route."""
    if path.startswith(WAVIX + "/"):
        return _wavix(method, path.removeprefix(WAVIX), query)
    if path.startswith(B2CORE + "/"):
        return _b2core(method, path.removeprefix(B2CORE), query)
    return _NOT_FOUND


def _wavix(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
    created = session_created_at()
    if (method, path) == ("GET", "/v1/two-fa/service"):
        items = [{"uuid": SERVICE, "name": "Fault login", "code_length": 6}]
        return 200, {"pagination": {"total_pages": 1, "current_page": 1}, "items": items}
    if method == "GET" and path.endswith("/sessions"):
        service = path.split("/")[-2]
        if query.get("from") == f"{created:%Y-%m-%d}" and service == SERVICE:
            return 200, [_session(created), _session(created, session=SESSION_B)]
        if query.get("from") == f"{created:%Y-%m-%d}" and service == NEW_SERVICE:
            return 200, [_session(created, NEW_SERVICE, OTHER_SESSION)]
        return 404, {"success": False, "message": "Sessions not found"}
    if method == "GET" and path.endswith("/events"):
        event = {
            "created_at": _iso(created),
            "event": "Code sent via SMS",
            "status": "delivered",
            "charge": "0.0500",
            "error": None,
        }
        return 200, [event]
    if (method, path) == ("POST", "/v1/two-fa/verification"):
        return 200, {
            "success": True,
            "service_id": SERVICE,
            "session_id": CREATED_SESSION,
            "session_url": f"https://api.wavix.com/v1/two-fa/session/{CREATED_SESSION}",
            "destination": PHONE,
            "created_at": _iso(created),
        }
    if method == "POST" and path.endswith("/check"):
        return 200, {"is_valid": False}
    if method == "POST" and _WAVIX_VERIFICATION.match(path):
        return 200, {
            "success": True,
            "channel": "sms",
            "destination": PHONE,
            "created_at": _iso(created),
        }
    if method == "PATCH" and path.endswith("/cancel"):
        return 200, {"success": True, "message": "Canceled"}
    return _NOT_FOUND


def _b2core(method: str, path: str, query: dict[str, str]) -> tuple[int, Any]:
    first_page = query.get("offset", "0") in ("", "0")
    base = f"/api/v2/clients/{CLIENT}"
    if (method, path) == ("GET", "/api/v2/clients"):
        return 200, {"total": 1, "data": [_client()] if first_page else []}
    if (method, path) == ("GET", base + "/2fa"):
        return 200, {"total": 2, "data": [_method("sms", True), _method("google", True)]}
    if (method, path) == ("GET", base + "/2fa/changes"):
        return 200, {"total": 1, "data": [_change()] if first_page else []}
    if (method, path) == ("GET", f"{base}/2fa/changes/{CHANGE}"):
        return 200, _change()
    if path in (base + "/2fa/sms", base + "/2fa/google"):
        name = path.rsplit("/", 1)[1]
        if method == "GET":
            return 200, _method(name, True)
        if method == "PUT":
            return 200, _method(name, False)
    return _NOT_FOUND
