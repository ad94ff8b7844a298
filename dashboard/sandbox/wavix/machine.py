"""The verification state machine: create, resend, check, cancel.

pending ─(right code)─▶ verified
   │ ├──(5 minutes after the last send)──▶ expired   (read that way; stored on next touch)
   │ ├──(a 6th send or a 6th check)──────▶ failed
   │ └──(cancel)─────────────────────────▶ canceled
Every operation runs in one transaction on the sandbox database and appends its event.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from django.db import transaction
from phonenumbers import PhoneNumberType, carrier

from dashboard.sandbox.models import (
    CODE_LIFETIME_SECONDS,
    MAX_CHECKS,
    MAX_SENDS,
    Service,
    SessionStatus,
    VerificationSession,
)
from dashboard.sandbox.outbox import record_sent_code
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.wavix import events
from dashboard.sandbox.wavix.pricing import (
    LOOKUP_E4,
    VERIFIED_E4,
    e4_to_decimal,
    send_charge_e4,
)

CODE_LIFETIME = timedelta(seconds=CODE_LIFETIME_SECONDS)
_NUMBER_TYPES = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.TOLL_FREE: "toll_free",
}


class Refused(Exception):
    """The operation is not allowed in the session's state (an HTTP error with a message)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Lookup:
    number_type: str
    country: str
    current_carrier: str


def effective_status(status: str, code_expires_at: datetime, now: datetime) -> str:
    if status == SessionStatus.PENDING and code_expires_at <= now:
        return SessionStatus.EXPIRED
    return status


def destination_country(number: phonenumbers.PhoneNumber) -> str:
    return (
        phonenumbers.region_code_for_number(number)
        or phonenumbers.region_code_for_country_code(number.country_code or 0)
        or "ZZ"
    )


def parse_destination(to: str) -> phonenumbers.PhoneNumber | None:
    """The number if ``to`` is plausible E.164 digits (no "+"), else None."""
    if not (to.isascii() and to.isdigit() and 8 <= len(to) <= 15):
        return None
    try:
        number = phonenumbers.parse("+" + to)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


def lookup(number: phonenumbers.PhoneNumber) -> Lookup:
    return Lookup(
        number_type=_NUMBER_TYPES.get(phonenumbers.number_type(number), "unknown"),
        country=destination_country(number),
        current_carrier=carrier.name_for_number(number, "en") or "Unknown",
    )


def _new_code(length: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def _send(session: VerificationSession, channel: str, now: datetime) -> None:
    """Generate a new code (invalidating earlier ones), "send" it and record the event."""
    session.code = _new_code(session.service.code_length)
    session.code_sent_at = now
    session.code_expires_at = now + CODE_LIFETIME
    session.sends_used += 1
    charge = send_charge_e4(session.destination_country, channel)
    session.charge += e4_to_decimal(charge)
    status = "delivered" if channel == "sms" else "success"
    session.events = events.append_event(
        session.events, now, events.SEND_KIND[channel], status, charge, None
    )
    record_sent_code(
        source="wavix",
        reference=session.session_id,
        destination=session.phone_number,
        channel=channel,
        code=session.code,
        sent_at=now,
    )


def create(
    service: Service, number: phonenumbers.PhoneNumber, to: str, channel: str, now: datetime
) -> tuple[VerificationSession, Lookup | None]:
    found = lookup(number) if service.validation_enabled else None
    session = VerificationSession(
        session_id=uuid.uuid4().hex,
        service=service,
        phone_number=to,
        destination_country=destination_country(number),
        status=SessionStatus.PENDING,
        charge=e4_to_decimal(0),
        created_at=now,
    )
    if found is not None:
        session.charge += e4_to_decimal(LOOKUP_E4)
        session.events = events.append_event(
            session.events, now, events.LOOKUP, "success", LOOKUP_E4, None
        )
    with transaction.atomic(using=SANDBOX_DB):
        _send(session, channel, now)
        session.save(using=SANDBOX_DB)
    return session, found


def _locked(session_id: str) -> VerificationSession:
    try:
        return (
            VerificationSession.objects.using(SANDBOX_DB)
            .select_for_update()
            .select_related("service")
            .get(session_id=session_id)
        )
    except VerificationSession.DoesNotExist:
        raise Refused(not_found_message(session_id)) from None


def not_found_message(session_id: str) -> str:
    return f"2FA verification session with ID={session_id} cannot be found"


def _require_pending(session: VerificationSession, now: datetime) -> None:
    status = effective_status(session.status, session.code_expires_at, now)
    if status != SessionStatus.PENDING:
        raise Refused(f"2FA verification session is {status}")


def resend(session_id: str, channel: str, now: datetime) -> VerificationSession:
    with transaction.atomic(using=SANDBOX_DB):
        session = _locked(session_id)
        _require_pending(session, now)
        if session.sends_used >= MAX_SENDS:
            session.status = SessionStatus.FAILED
            session.events = events.append_event(
                session.events,
                now,
                events.SEND_KIND[channel],
                "failed",
                0,
                "Maximum number of codes sent",
            )
            session.save(using=SANDBOX_DB)
            refusal = Refused(
                f"Maximum number of codes sent ({MAX_SENDS}) reached: the verification failed"
            )
        else:
            _send(session, channel, now)
            session.save(using=SANDBOX_DB)
            return session
    # Raised outside the transaction: the session's move to failed must be committed.
    raise refusal


def check(session_id: str, code: str, now: datetime) -> bool:
    with transaction.atomic(using=SANDBOX_DB):
        session = _locked(session_id)
        _require_pending(session, now)
        if session.checks_used >= MAX_CHECKS:
            session.status = SessionStatus.FAILED
            session.events = events.append_event(
                session.events, now, events.CHECK, "failed", 0, "Maximum number of checks"
            )
            session.save(using=SANDBOX_DB)
            refusal = Refused(
                f"Maximum number of checks ({MAX_CHECKS}) reached: the verification failed"
            )
        else:
            session.checks_used += 1
            # Only the latest code counts: a resend replaced session.code.
            valid = secrets.compare_digest(code.encode(), session.code.encode())
            charge = VERIFIED_E4 if valid else 0
            session.charge += e4_to_decimal(charge)
            session.events = events.append_event(
                session.events,
                now,
                events.CHECK,
                "success" if valid else "failed",
                charge,
                None if valid else "Invalid code",
            )
            if valid:
                session.status = SessionStatus.VERIFIED
            session.save(using=SANDBOX_DB)
            return valid
    raise refusal  # after the commit, as in resend()


def cancel(session_id: str, now: datetime) -> None:
    with transaction.atomic(using=SANDBOX_DB):
        try:
            session = _locked(session_id)
        except Refused as refused:
            refused.status = 404
            raise
        status = effective_status(session.status, session.code_expires_at, now)
        if status != SessionStatus.PENDING:
            raise Refused(f"Two FA session is not canceled: the session is {status}")
        session.status = SessionStatus.CANCELED
        session.save(using=SANDBOX_DB, update_fields=["status"])
