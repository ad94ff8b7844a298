"""Wizards: B2Core's multi-step procedures, each addressed by a uuid, and their envelope.

Every step answers ``{code, data, done, uuid, workflow}``: 200 while more steps follow, 202
at the end. A wrong code keeps the wizard open until MAX_ATTEMPTS wrong codes close it.
"""

from __future__ import annotations

import secrets
import uuid as uuidlib
from datetime import timedelta
from typing import Any

from django.http import HttpResponse

from dashboard.sandbox.b2core import twofa
from dashboard.sandbox.b2core.models import Client, Wizard
from dashboard.sandbox.b2core.wire import ApiError, json_response, now, required_str
from dashboard.sandbox.routers import SANDBOX_DB

WIZARD_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5  # wrong codes before a wizard closes
MAX_SENDS = 5  # codes sent by one wizard
TERMINATE = "B2B\\TCA\\Wizards\\Workflow\\TerminateWorkflow"  # the final step's workflow


def start(kind: str, workflow: str, *, client: Client | None = None, **fields: Any) -> Wizard:
    return Wizard.objects.using(SANDBOX_DB).create(
        uuid=uuidlib.uuid4(),
        kind=kind,
        workflow=workflow,
        client=client,
        expires_at=now() + WIZARD_TTL,
        **fields,
    )


def load(
    body: dict[str, Any], *kinds: str, client: Client | None = None, field: str = "uuid"
) -> Wizard:
    """The open wizard named by ``body[field]`` (of this client, when one is signed in)."""
    raw = required_str(body, field)
    try:
        key = uuidlib.UUID(raw)
    except ValueError:
        raise ApiError(400, f"The {field} field must be a UUID.", errors={field: [raw]}) from None
    wizard = (
        Wizard.objects.using(SANDBOX_DB)
        .select_related("client")
        .filter(uuid=key, kind__in=kinds, done=False, expires_at__gt=now())
        .first()
    )
    if wizard is None or (client is not None and wizard.client_id != client.id):
        raise ApiError(404, "The wizard was not found or has expired; start it again.")
    return wizard


def envelope(
    wizard: Wizard, *, data: Any = None, done: bool = False, workflow: str | None = None
) -> HttpResponse:
    code = 202 if done else 200
    body = {
        "code": code,
        "data": data,
        "done": done,
        "uuid": str(wizard.uuid),
        "workflow": workflow or wizard.workflow,
    }
    return json_response(body, status=code)


def advance(wizard: Wizard, workflow: str, **fields: Any) -> None:
    wizard.workflow = workflow
    for name, value in fields.items():
        setattr(wizard, name, value)
    wizard.save(using=SANDBOX_DB)


def finish(wizard: Wizard) -> None:
    wizard.done = True
    wizard.save(using=SANDBOX_DB)


def wrong_code(wizard: Wizard, message: str = "The code is invalid.") -> ApiError:
    """Count a wrong code (saved now, whatever the caller does next) and say so."""
    wizard.attempts += 1
    if wizard.attempts >= MAX_ATTEMPTS:
        wizard.done = True  # closed: the client has to start again
        message += " Too many wrong codes; start again."
    wizard.save(using=SANDBOX_DB, update_fields=["attempts", "done"])
    return ApiError(400, message, errors={"code": [message]})


def send_code(wizard: Wizard, *, channel: str, destination: str) -> dict[str, Any]:
    """Send the wizard a fresh code (replacing the last one); the SMS ``data`` body."""
    if wizard.sends >= MAX_SENDS:
        raise ApiError(429, "Too many codes sent for this wizard; start again.")
    sent = twofa.send_code(
        client=wizard.client,
        channel=channel,
        destination=destination,
        purpose=wizard.workflow,
        wizard_uuid=wizard.uuid,
    )
    wizard.code = sent.code
    wizard.code_expires_at = sent.sent_at + twofa.SMS_CODE_TTL
    wizard.sends += 1
    wizard.save(using=SANDBOX_DB)
    return twofa.sent_code_body(sent, sends=wizard.sends)


def sent_code_ok(wizard: Wizard, code: str) -> bool:
    """The code last sent to this wizard, if it has not expired."""
    return bool(
        wizard.code
        and wizard.code_expires_at is not None
        and wizard.code_expires_at > now()
        and secrets.compare_digest(code, wizard.code)
    )


def check_code(wizard: Wizard, body: dict[str, Any], *, totp_key: str = "") -> None:
    """The body's code against the TOTP key (google) or the sent code (sms); else 400."""
    code = required_str(body, "code")
    ok = twofa.totp_ok(totp_key, code) if totp_key else sent_code_ok(wizard, code)
    if not ok:
        raise wrong_code(wizard)
