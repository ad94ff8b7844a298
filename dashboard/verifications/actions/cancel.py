"""Cancel a verification: one call; an unclear answer is settled by reading the session back.

Wavix has no "get one session" call: reading back means listing the session's day. A second
cancel is never sent on our own; the operator decides, knowing what was read.
"""

from __future__ import annotations

import datetime as dt

from dashboard.providers.deadline import keeping
from dashboard.providers.errors import NotFound, ProviderError, Rejected
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.actions.outcome import (
    FAILED,
    SUCCESS,
    UNKNOWN,
    Outcome,
    may_be_in_flight,
    may_have_reached,
)
from dashboard.verifications.models import MirroredSession

# Of a request's provider deadline, what a cancel that got no clear answer leaves for reading
# the session back (dashboard/provider_deadline.py); outside a request, each has its own.
READ_BACK_SHARE = 1 / 3

REASONS = {
    "suspected_fraud": "Suspected fraud",
    "user_request": "User request",
    "duplicate": "Duplicate",
    "other": "Other",
}


def cancel_verification(client: WavixClient, session: MirroredSession) -> Outcome:
    """Send one cancel for a session and say what it came to, reading it back when unclear."""
    try:
        with keeping(READ_BACK_SHARE):
            client.cancel(session.session_id, retry=False)
    except ProviderError as exc:
        # Wavix answers 404 "Two FA session is not canceled" both for an unknown session
        # and for one that had already ended: the session itself says which.
        if may_have_reached(exc) or isinstance(exc, NotFound | Rejected):
            return read_back(client, session, exc.message, in_flight=may_be_in_flight(exc))
        return Outcome(FAILED, f"Not canceled: {exc.message}", provider_message=exc.message)
    return Outcome(SUCCESS, "Canceled.", status_seen="canceled")


def read_back(
    client: WavixClient, session: MirroredSession, answer: str, *, in_flight: bool = False
) -> Outcome:
    """What became of a cancel whose answer was ``answer``, from the session's own day.

    ``in_flight``: no answer came back, so the cancel may still be under way at Wavix and a
    session read as pending is not yet proof that it failed.
    """
    day = session.created_at.astimezone(dt.UTC).date()
    try:
        listed = client.list_sessions(session.service.service_id, day, day)
    except ProviderError as exc:
        return Outcome(
            UNKNOWN,
            f"Unknown: Wavix answered “{answer}” and the session could not be read back "
            f"({exc.message}). Open the session again before cancelling again.",
            provider_message=answer,
        )
    status = next((s.status for s in listed if s.session_id == session.session_id), None)
    if status is None:
        return Outcome(
            UNKNOWN,
            f"Unknown: Wavix answered “{answer}” and no longer lists the session.",
            provider_message=answer,
        )
    if status == "canceled":
        return Outcome(
            SUCCESS,
            f"Canceled (confirmed by reading the session back after Wavix answered “{answer}”).",
            provider_message=answer,
            status_seen=status,
        )
    if status == "pending" and in_flight:
        return Outcome(
            UNKNOWN,
            f"Unknown: Wavix did not answer ({answer}) and still lists the session as "
            "pending; the cancel may still be under way. Open the session again in a "
            "minute before cancelling again.",
            provider_message=answer,
            status_seen=status,
        )
    if status == "pending":
        return Outcome(
            FAILED,
            f"Not canceled: the session is still pending (Wavix answered “{answer}”). "
            "You may try again.",
            provider_message=answer,
            status_seen=status,
        )
    return Outcome(
        FAILED,
        f"Nothing to cancel: the session had already ended as {status}.",
        provider_message=answer,
        status_seen=status,
    )
