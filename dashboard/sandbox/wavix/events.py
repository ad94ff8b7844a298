"""A session's events, stored compactly on the session row and rendered for the wire.

Stored form: a JSON array of ``[epoch_ms, kind, status, charge_e4, error]`` arrays, oldest
first. ``kind`` is one letter (see EVENT_NAMES); amounts are in ten-thousandths of a dollar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from dashboard.sandbox.wavix.pricing import e4_to_str
from dashboard.sandbox.wavix.wire import iso_ms

LOOKUP, SMS, VOICE, CHECK = "L", "S", "V", "C"
EVENT_NAMES = {
    LOOKUP: "Number lookup",
    SMS: "Code sent via SMS",
    VOICE: "Code sent via voice",
    CHECK: "Verification",
}
SEND_KIND = {"sms": SMS, "voice": VOICE}

Event = tuple[int, str, str, int, str | None]

_decoder = msgspec.json.Decoder(list[Event])


def epoch_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def encode_events(events: list[Event]) -> str:
    return msgspec.json.encode(events).decode()


def decode_events(stored: str) -> list[Event]:
    return _decoder.decode(stored)


def append_event(
    stored: str, moment: datetime, kind: str, status: str, charge_e4: int, error: str | None
) -> str:
    events = decode_events(stored)
    events.append((epoch_ms(moment), kind, status, charge_e4, error))
    return encode_events(events)


def render_events(stored: str) -> list[dict[str, Any]]:
    return [
        {
            "created_at": iso_ms(datetime.fromtimestamp(ms / 1000, UTC)),
            "event": EVENT_NAMES[kind],
            "status": status,
            "charge": e4_to_str(charge),
            "error": error,
        }
        for ms, kind, status, charge, error in decode_events(stored)
    ]
