"""Resend a code: one provider call, never repeated, whatever happens to it."""

from __future__ import annotations

from dashboard.providers.errors import ProviderError
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.actions.outcome import (
    FAILED,
    SUCCESS,
    UNKNOWN,
    Outcome,
    may_have_reached,
)

CHANNELS = {"sms": "SMS", "voice": "voice call"}


def resend_code(client: WavixClient, session_id: str, channel: str) -> Outcome:
    """Ask Wavix once for a new code by ``channel``; say what came of it.

    A resend sends a real SMS or call, costs money and invalidates the earlier code, so an
    answer lost on the way back is reported as unknown, never tried again.
    """
    label = CHANNELS[channel]
    try:
        client.resend(session_id, channel)
    except ProviderError as exc:
        if may_have_reached(exc):
            # What went wrong is said too: a timeout and a 500 call for different patience.
            return Outcome(
                UNKNOWN,
                f"Unknown: Wavix may have sent a new code by {label}, but no clear answer came "
                f"back: {exc.message} Check the timeline before sending another.",
                provider_message=exc.message,
            )
        return Outcome(FAILED, f"No code was sent: {exc.message}", provider_message=exc.message)
    return Outcome(SUCCESS, f"A new code was sent by {label}. Earlier codes no longer work.")
