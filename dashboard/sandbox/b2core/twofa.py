"""2FA methods and their history: bodies, state changes (each one logged), codes.

Both APIs go through here, so a client's own enable in the "my" API and an admin's disable in
the Back Office leave the same kind of change record.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pyotp
from django.db import transaction

from dashboard.sandbox.b2core.models import (
    Change,
    Client,
    Method,
    Provider,
    SentCode,
    SpentTotpStep,
)
from dashboard.sandbox.b2core.wire import ApiError, iso, iso_micro_z, now
from dashboard.sandbox.routers import SANDBOX_DB

# The doc's list shows SMS first; keep its order.
ORDER = (Provider.SMS, Provider.GOOGLE)
CLIENT_ACTOR = "client"
SMS_CODE_TTL = timedelta(minutes=10)  # the doc's example: expiredAt = sentAt + 10 minutes
# Google Authenticator: accept the previous and next 30-second step too (clock drift).
TOTP_WINDOW = 1


def provider_from_path(raw: str) -> Provider:
    """``google`` or ``sms`` from a URL; the doc also writes ``SMS``, so case is ignored."""
    try:
        return Provider(raw.lower())
    except ValueError:
        raise ApiError(404, f"Unknown 2FA method {raw!r}: expected one of google, sms") from None


def method_body(method: Method) -> dict[str, Any]:
    provider = Provider(method.provider)
    return {"caption": provider.label, "isEnabled": method.is_enabled, "name": provider.value}


def methods_of(client: Client) -> list[Method]:
    found = {m.provider: m for m in Method.objects.using(SANDBOX_DB).filter(client=client)}
    missing = [p for p in ORDER if p not in found]
    for provider in missing:  # a client created outside the seed: methods start off
        found[provider] = Method.objects.using(SANDBOX_DB).create(client=client, provider=provider)
    return [found[p] for p in ORDER]


def list_body(client: Client) -> dict[str, Any]:
    methods = methods_of(client)
    return {"total": len(methods), "data": [method_body(m) for m in methods]}


def method_of(client: Client, provider: Provider) -> Method:
    return next(m for m in methods_of(client) if m.provider == provider)


def change_body(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "provider": change.provider,
        "isEnabled": change.is_enabled,
        "time": iso(change.time),
        "actor": change.actor,
    }


def set_enabled(
    method: Method, enabled: bool, *, actor: str, secret: str = "", phone: str = ""
) -> Change | None:
    """Switch a method and log it; no change (already in that state) logs nothing."""
    with transaction.atomic(using=SANDBOX_DB):
        if method.is_enabled == enabled:
            return None
        method.is_enabled = enabled
        if enabled and secret:
            method.secret = secret
        if enabled and phone:
            method.phone = phone
        method.save(using=SANDBOX_DB)
        # Second precision, as the wire shows it: a timeTo filter equal to a displayed time
        # must include that record.
        return Change.objects.using(SANDBOX_DB).create(
            client_id=method.client_id,
            provider=method.provider,
            is_enabled=enabled,
            time=now().replace(microsecond=0),
            actor=actor,
        )


def new_totp_key() -> str:
    """A fresh Google Authenticator key: 160 random bits, base32 without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_ok(key: str, code: str) -> bool:
    """Whether the code is the key's, within the drift window, and not used before.

    As RFC 6238 (5.2) asks of a verifier, a code accepted once is refused after, and so is
    any code of an older step: a phished code cannot be replayed while it is still current.
    """
    if not key or not code.isdigit():
        return False
    totp = pyotp.TOTP(key)
    at = now()
    for offset in range(-TOTP_WINDOW, TOTP_WINDOW + 1):
        moment = at + timedelta(seconds=offset * totp.interval)
        if secrets.compare_digest(totp.at(moment), code):
            return _spend(key, totp.timecode(moment))
    return False


def _spend(key: str, step: int) -> bool:
    digest = hashlib.sha256(key.encode()).hexdigest()
    spent = SpentTotpStep.objects.using(SANDBOX_DB)
    with transaction.atomic(using=SANDBOX_DB):
        last = spent.select_for_update().filter(key_digest=digest).first()
        if last is not None and last.step >= step:
            return False
        spent.update_or_create(key_digest=digest, defaults={"step": step})
    return True


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def send_code(
    *, client: Client | None, channel: str, destination: str, purpose: str, wizard_uuid: UUID
) -> SentCode:
    """ "Send" a fresh code: it lands in the outbox (GET _outbox) for tests to read."""
    return SentCode.objects.using(SANDBOX_DB).create(
        client=client,
        channel=channel,
        destination=destination,
        code=new_code(),
        purpose=purpose,
        wizard_uuid=wizard_uuid,
        sent_at=now(),
    )


def sent_code_body(sent: SentCode, *, sends: int) -> dict[str, Any]:
    """The SMS step's ``data``, in the doc's shape (including its other time format)."""
    expires: datetime = sent.sent_at + SMS_CODE_TTL
    return {
        "status": 0,
        "sent": sends,
        "expiredAt": iso_micro_z(expires),
        "sentAt": iso_micro_z(sent.sent_at),
        "recipient": {
            "class": "B2B\\TCA\\Confirmations\\Recipients\\PhoneRecipient",
            "phone": sent.destination,
            "template": "default",
            "data": None,
            "type": 2,
            "method": "phone",
        },
    }


def outbox_body(sent: SentCode) -> dict[str, Any]:
    return {
        "id": sent.id,
        "clientId": sent.client_id,
        "channel": sent.channel,
        "destination": sent.destination,
        "code": sent.code,
        "purpose": sent.purpose,
        "uuid": str(sent.wizard_uuid),
        "sentAt": iso(sent.sent_at),
    }
