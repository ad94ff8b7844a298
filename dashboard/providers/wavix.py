"""Wavix 2FA: a typed client for verifications, sessions and events.

Reference: specs/wavix-2fa-subset-current-1498ee51.yaml (the contract) and
specs/wavix-2fa-notes.md (its quirks). Service listing comes from the 2025-10-20 extract and
is optional: Wavix removed it from the published contract.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Final, TypeVar
from urllib.parse import quote

import httpx
import msgspec

from .errors import BadResponse, NotFound, Rejected
from .http import (
    MAX_RESPONSE_BYTES,
    ProviderClient,
    ProviderHTTP,
    Reply,
    RetryPolicy,
    Timeouts,
    provider_message,
)

__all__ = [
    "CHANNELS",
    "CODE_LIFETIME",
    "MAX_CHECKS",
    "MAX_SENDS",
    "MAX_SESSIONS_BYTES",
    "TERMINAL_STATUSES",
    "CreatedVerification",
    "Event",
    "NumberLookup",
    "Resent",
    "Service",
    "Session",
    "WavixClient",
]

# Platform limits: fixed by Wavix, not per service.
CODE_LIFETIME: Final = timedelta(minutes=5)
MAX_CHECKS: Final = 5
MAX_SENDS: Final = 5
TERMINAL_STATUSES: Final = frozenset({"verified", "expired", "canceled", "failed"})
CHANNELS: Final = frozenset({"sms", "voice"})

PROVIDER = "wavix"
# Wavix's answer to cancelling a canceled session ("Two FA session is not canceled: the
# session is canceled"); matched loosely, its wording is not documented.
_ALREADY_CANCELED = re.compile(r"\b(is|already) cancell?ed\b", re.IGNORECASE)
_SERVICE_PAGE_SIZE = 100
_SERVICE_MAX_PAGES = 50
# The sessions list is a service's whole day, unpaged, ~270 bytes a session: 64 MB is about
# 240,000 sessions a day. Every other answer is held to the HTTP layer's smaller default.
MAX_SESSIONS_BYTES = 64 * 1024 * 1024

AwareDateTime = Annotated[datetime, msgspec.Meta(tz=True)]


class Session(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One verification as the sessions list shows it; ``status`` kept raw (lower-cased)."""

    session_id: str
    service_id: str = ""
    service_name: str | None = None
    phone_number: str = ""
    destination_country: str | None = None
    status: str
    charge: Decimal = Decimal(0)
    created_at: AwareDateTime


class Event(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """One step in a session's timeline (lookup, send, check)."""

    created_at: AwareDateTime
    event: str
    status: str
    charge: Decimal = Decimal(0)
    error: str | None = None


class NumberLookup(msgspec.Struct, frozen=True, kw_only=True):
    """What Wavix learnt about the destination number (only with validation on)."""

    number_type: str | None = None
    country: str | None = None
    current_carrier: str | None = None


class CreatedVerification(msgspec.Struct, frozen=True, kw_only=True):
    """A newly created verification."""

    service_id: str
    session_id: str
    session_url: str
    destination: str
    created_at: datetime
    number_lookup: NumberLookup | None


class Resent(msgspec.Struct, frozen=True, kw_only=True):
    """A code sent again on an existing verification."""

    channel: str
    destination: str
    created_at: datetime


class Service(msgspec.Struct, frozen=True, kw_only=True):
    """A 2FA service, when the provider can list them; ``service_id`` is 32 lower-case hex."""

    service_id: str
    name: str
    code_length: int | None = None
    validation_enabled: bool | None = None
    created_at: datetime | None = None


# Wire shapes that differ from the records above.
class _Created(msgspec.Struct, kw_only=True):
    success: bool = True
    message: str | None = None
    service_id: str
    session_url: str = ""
    session_id: str
    destination: str = ""
    created_at: AwareDateTime
    number_lookup: NumberLookup | None = None
    lookup: NumberLookup | None = None  # older SDKs' name for number_lookup


class _Resent(msgspec.Struct, kw_only=True):
    success: bool = True
    message: str | None = None
    channel: str
    destination: str = ""
    created_at: AwareDateTime


class _Checked(msgspec.Struct, kw_only=True):
    is_valid: bool


class _Success(msgspec.Struct, kw_only=True):
    success: bool = True
    message: str | None = None


class _ServiceItem(msgspec.Struct, kw_only=True):
    uuid: str
    name: str = ""
    code_length: int | None = None
    validation_enabled: bool | None = None
    created_at: str | None = None


class _Pagination(msgspec.Struct, kw_only=True):
    total_pages: int | None = None
    current_page: int | None = None


class _ServicePage(msgspec.Struct, kw_only=True):
    pagination: _Pagination | None = None
    items: list[_ServiceItem]


_SESSIONS = msgspec.json.Decoder(list[Session])
_EVENTS = msgspec.json.Decoder(list[Event])
_CREATED = msgspec.json.Decoder(_Created)
_RESENT = msgspec.json.Decoder(_Resent)
_CHECKED = msgspec.json.Decoder(_Checked)
_SUCCESS = msgspec.json.Decoder(_Success)
_SERVICES = msgspec.json.Decoder(_ServicePage | list[_ServiceItem])


def _segment(value: str) -> str:
    # IDs come from URLs and forms: never let one add path segments or a query.
    if not value:
        raise ValueError("an ID must not be empty")
    return quote(value, safe="")


def _channel(channel: str) -> str:
    normal = channel.strip().lower()
    if normal not in CHANNELS:
        raise ValueError(f"channel must be 'sms' or 'voice', not {channel!r}")
    return normal


def _normalise_id(uuid: str) -> str:
    return uuid.replace("-", "").strip().lower()


def _lenient_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class WavixClient(ProviderClient):
    """Typed calls to Wavix 2FA. Create, resend and check are never retried."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        max_sessions_bytes: int = MAX_SESSIONS_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_sessions_bytes < 1:
            raise ValueError("max_sessions_bytes must be at least 1")
        self.max_sessions_bytes = max_sessions_bytes
        self.http = ProviderHTTP(
            PROVIDER,
            base_url,
            transport=transport,
            headers={"Authorization": f"Bearer {api_key}"},
            secrets=[api_key],
            timeouts=timeouts,
            retry=retry,
            max_response_bytes=max_response_bytes,
            sleep=sleep,
            clock=clock,
        )

    def list_sessions(self, service_id: str, date_from: date, date_to: date) -> list[Session]:
        """Return every session of a service created in [date_from, date_to] (UTC days).

        Wavix answers an empty range with 404 "Sessions not found": that is an empty list.
        An answer longer than ``max_sessions_bytes`` is refused (BadResponse).
        """
        if date_from > date_to:
            raise ValueError("date_from must not be after date_to")
        reply = self.http.request(
            "GET",
            f"/v1/two-fa/service/{_segment(service_id)}/sessions",
            params={"from": f"{date_from:%Y-%m-%d}", "to": f"{date_to:%Y-%m-%d}"},
            retry=True,
            ok=(200, 404),
            operation="list_sessions",
            max_bytes=self.max_sessions_bytes,
        )
        if reply.status == 404:
            message = provider_message(reply.body, reply.headers.get("content-type", ""))
            if message and message.strip().rstrip(".").lower() == "sessions not found":
                return []
            raise self.http.error_for(reply)
        sessions = self.http.decode(reply, _SESSIONS, what="a sessions list")
        return _normalised(sessions, "a sessions list")

    def list_events(self, session_id: str) -> list[Event]:
        """Return a session's events, oldest first as Wavix sends them."""
        reply = self.http.request(
            "GET",
            f"/v1/two-fa/session/{_segment(session_id)}/events",
            retry=True,
            operation="list_events",
        )
        events = self.http.decode(reply, _EVENTS, what="an events list")
        return _normalised(events, "an events list")

    def create_verification(self, service_id: str, to: str, channel: str) -> CreatedVerification:
        """Create a verification and send its first code. Sent once, never retried."""
        reply = self.http.request(
            "POST",
            "/v1/two-fa/verification",
            json={"service_id": service_id, "to": to, "channel": _channel(channel)},
            retry=False,
            operation="create_verification",
        )
        wire = self._decode_success(reply, _CREATED, what="a created verification")
        return CreatedVerification(
            service_id=wire.service_id,
            session_id=wire.session_id,
            session_url=wire.session_url,
            destination=wire.destination,
            created_at=wire.created_at,
            number_lookup=wire.number_lookup or wire.lookup,
        )

    def resend(self, session_id: str, channel: str) -> Resent:
        """Send a new code (invalidating earlier ones). Sent once, never retried."""
        reply = self.http.request(
            "POST",
            f"/v1/two-fa/verification/{_segment(session_id)}",
            json={"channel": _channel(channel)},
            retry=False,
            operation="resend",
        )
        wire = self._decode_success(reply, _RESENT, what="a resend answer")
        return Resent(
            channel=wire.channel.lower(), destination=wire.destination, created_at=wire.created_at
        )

    def check(self, session_id: str, code: str) -> bool:
        """Check a code against the latest one sent. Not retried: each check is counted."""
        reply = self.http.request(
            "POST",
            f"/v1/two-fa/verification/{_segment(session_id)}/check",
            json={"code": code},
            retry=False,
            secrets=[code],
            operation="check",
        )
        return self.http.decode(reply, _CHECKED, what="a check answer").is_valid

    def cancel(self, session_id: str, *, retry: bool = True) -> None:
        """Cancel a verification; 200 with a body or 204 without.

        Retried by default, so it must be idempotent: Wavix refuses to cancel a session that
        is already canceled, which is what a retry sees when the first answer was lost on
        the way back. That refusal means the goal is reached, and is taken as success.
        With ``retry=False`` the request is sent exactly once, for callers that reconcile
        an ambiguous outcome by reading the session back instead.
        """
        try:
            reply = self.http.request(
                "PATCH",
                f"/v1/two-fa/verification/{_segment(session_id)}/cancel",
                retry=retry,
                ok=(200, 204),
                operation="cancel",
            )
        except Rejected as exc:
            if _ALREADY_CANCELED.search(exc.message):
                return
            raise
        if reply.status == 204 or not reply.body.strip():
            return
        self._decode_success(reply, _SUCCESS, what="a cancel answer")

    def list_services(self) -> list[Service] | None:
        """Return every service, or None when this Wavix has no service list (404/405).

        The endpoint left the published contract in 2025: callers fall back to the
        service IDs an operator registered.
        """
        services: list[Service] = []
        for page in range(1, _SERVICE_MAX_PAGES + 1):
            try:
                reply = self.http.request(
                    "GET",
                    "/v1/two-fa/service",
                    params={"page": page, "per_page": _SERVICE_PAGE_SIZE},
                    retry=True,
                    operation="list_services",
                )
            except (NotFound, Rejected) as exc:
                if page == 1 and exc.status in (404, 405):
                    return None
                raise
            decoded = self.http.decode(reply, _SERVICES, what="a service list")
            total_pages: int | None
            if isinstance(decoded, list):
                items, total_pages = decoded, 1
            else:
                items = decoded.items
                total_pages = decoded.pagination.total_pages if decoded.pagination else None
            services.extend(_service(item) for item in items)
            if not items or (total_pages is not None and page >= total_pages):
                break
            if total_pages is None and len(items) < _SERVICE_PAGE_SIZE:
                break
        return services

    def _decode_success(self, reply: Reply, decoder: msgspec.json.Decoder[_T], *, what: str) -> _T:
        # A 200 carrying {"success": false, "message": …} is a refusal, not a bad shape.
        verdict = self.http.decode(reply, _SUCCESS, what=what)
        if not verdict.success:
            detail = self.http.scrub(verdict.message) if verdict.message else "no reason given"
            raise Rejected(PROVIDER, f"Wavix refused the request: {detail}", status=reply.status)
        return self.http.decode(reply, decoder, what=what)


def _service(item: _ServiceItem) -> Service:
    return Service(
        service_id=_normalise_id(item.uuid),
        name=item.name,
        code_length=item.code_length,
        validation_enabled=item.validation_enabled,
        created_at=_lenient_time(item.created_at),
    )


_Row = TypeVar("_Row", Session, Event)
_T = TypeVar("_T")


def _normalised(rows: list[_Row], what: str) -> list[_Row]:
    """Lower-case statuses and refuse non-finite charges, after the fast typed decode.

    Done in one pass here rather than in ``__post_init__``, which doubles decode time.
    """
    for index, row in enumerate(rows):
        if not row.charge.is_finite():
            raise BadResponse(
                PROVIDER,
                f"Wavix sent {what} we cannot read: charge is not an amount "
                f"at `$[{index}].charge`.",
            )
        status = row.status
        if not status.islower() and status.lower() != status:
            rows[index] = msgspec.structs.replace(row, status=status.lower())
    return rows
