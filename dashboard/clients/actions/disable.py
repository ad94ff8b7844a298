"""Disable a client's 2FA method: one call, never repeated; an unclear answer is settled by
reading the method back before anything is said about it (specs/b2core-2fa.md)."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.audit.models import FAILED, SUCCESS, UNKNOWN
from dashboard.providers.b2core import B2CoreClient
from dashboard.providers.deadline import keeping
from dashboard.providers.errors import BadResponse, ProviderError, Unavailable

ACTION = "client.disable_2fa"
# Of a request's provider deadline, what a disable that got no clear answer leaves for reading
# the method back (dashboard/provider_deadline.py); outside a request, each has its own.
READ_BACK_SHARE = 1 / 3
METHODS = {"google": "Google Authenticator", "sms": "SMS"}
REASONS = {
    "locked_out": "Client locked out (lost phone or authenticator)",
    "client_request": "Client's own request, identity checked",
    "number_changed": "Client's phone number changed",
    "other": "Other",
}


@dataclass(frozen=True)
class Outcome:
    """``state`` is an audit outcome; ``enabled`` the method's state as last seen, if seen."""

    state: str
    message: str
    provider_message: str = ""
    enabled: bool | None = None


def _unclear(exc: ProviderError) -> bool:
    # A timeout, a dropped connection, a 5xx or an unreadable body: B2Core may have acted.
    return isinstance(exc, Unavailable | BadResponse)


def disable(client: B2CoreClient, client_id: str, method: str) -> Outcome:
    """Send one disable and say what it came to, reading the method back when unclear."""
    try:
        with keeping(READ_BACK_SHARE):
            answered = client.disable_method(client_id, method, retry=False)
    except ProviderError as exc:
        if _unclear(exc):
            return read_back(client, client_id, method, exc.message, in_flight=exc.status is None)
        return Outcome(FAILED, f"Not disabled: {exc.message}", provider_message=exc.message)
    if answered is not None and answered.is_enabled:
        # A 200 whose body still says "on": believe the method's own state, not the echo.
        return read_back(client, client_id, method, "B2Core answered that it is still enabled")
    message = "B2Core answered 204 (no body)" if answered is None else "B2Core answered 200"
    return Outcome(SUCCESS, "Disabled.", provider_message=message, enabled=False)


def read_back(
    client: B2CoreClient, client_id: str, method: str, answer: str, *, in_flight: bool = False
) -> Outcome:
    """What became of a disable whose answer was ``answer``, from the method's own state.

    ``in_flight``: no answer came back at all, so the disable may still land; a method read
    as enabled then is not proof that it failed.
    """
    try:
        state = client.get_method(client_id, method)
    except ProviderError as exc:
        return Outcome(
            UNKNOWN,
            f"Unknown: B2Core answered “{answer}” and the method could not be read back "
            f"({exc.message}). Open the client again before disabling again.",
            provider_message=answer,
        )
    if not state.is_enabled:
        return Outcome(
            SUCCESS,
            f"Disabled (confirmed by reading the method back after B2Core answered “{answer}”).",
            provider_message=answer,
            enabled=False,
        )
    if in_flight:
        return Outcome(
            UNKNOWN,
            f"Unknown: B2Core did not answer ({answer}) and still shows the method enabled; "
            "the disable may still be under way. Open the client again in a minute before "
            "disabling again.",
            provider_message=answer,
            enabled=True,
        )
    return Outcome(
        FAILED,
        f"Not disabled: the method is still enabled (B2Core answered “{answer}”). "
        "You may try again.",
        provider_message=answer,
        enabled=True,
    )
