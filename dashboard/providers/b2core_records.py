"""B2Core records and the tolerant readers that build them from its loose JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import msgspec

from .errors import BadResponse

__all__ = ["MAX_LIMIT", "Client", "Page", "TwoFAChange", "TwoFAMethod"]

PROVIDER = "b2core"
MAX_LIMIT: Final = 100

T = TypeVar("T")
_W = TypeVar("_W")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; ``total`` is whatever B2Core claimed: for display only."""

    items: list[T]
    total: int | None
    limit: int
    offset: int


class Client(msgspec.Struct, frozen=True, kw_only=True):
    """A B2Core client (a broker's customer); ``phone`` is "" when B2Core sends none."""

    id: str
    email: str
    name: str
    create_time: datetime | None
    phone: str = ""


class TwoFAMethod(msgspec.Struct, frozen=True, kw_only=True):
    """One 2FA method of a client; ``name`` lower-case ("sms", "google")."""

    name: str
    caption: str
    is_enabled: bool


class TwoFAChange(msgspec.Struct, frozen=True, kw_only=True):
    """One change of a client's 2FA; ``extra`` keeps fields we do not know (an actor, say)."""

    id: int
    provider: str
    is_enabled: bool
    time: datetime | None
    extra: dict[str, object]


class _Envelope(msgspec.Struct, Generic[_W], kw_only=True):
    data: list[_W]
    total: int | None = None


class _Client(msgspec.Struct, kw_only=True, rename="camel"):
    id: int | str
    email: str | None = None
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    create_time: str | None = None
    # Not in B2Core's documented list body; kept when a host sends one under either name.
    phone: str | int | None = None
    phone_number: str | int | None = None


class _Method(msgspec.Struct, kw_only=True, rename="camel"):
    name: str
    caption: str | None = None
    is_enabled: bool | int


CLIENTS_DECODER = msgspec.json.Decoder(_Envelope[_Client] | list[_Client])
METHODS_DECODER = msgspec.json.Decoder(_Envelope[_Method] | list[_Method])
METHOD_DECODER = msgspec.json.Decoder(_Method)
CHANGES_DECODER = msgspec.json.Decoder(_Envelope[dict[str, Any]] | list[dict[str, Any]])
CHANGE_DECODER = msgspec.json.Decoder(dict[str, Any])
_CHANGE_FIELDS = frozenset({"id", "provider", "isEnabled", "time"})


def _bad(what: str, reason: str, where: str) -> BadResponse:
    return BadResponse(PROVIDER, f"B2Core sent {what} we cannot read: {reason} at `{where}`.")


def _time(value: object, what: str, where: str) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _bad(what, "expected a date-time string", where)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _bad(what, f"{value[:40]!r} is not a date-time", where) from None
    # B2Core documents numeric offsets; a time without one is taken as UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _flag(value: object, what: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1, "0", "1"):
        return value in (1, "1")
    raise _bad(what, "expected true or false", where)


def path_segment(value: str | int) -> str:
    """Quote an ID as one URL path segment (it must not add segments or a query)."""
    text = str(value)
    if not text:
        raise ValueError("an ID must not be empty")
    return quote(text, safe="")


def utc_iso(value: datetime, name: str) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a numeric offset."""
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def clamp_limit(limit: int) -> int:
    """Keep a page size within 1..MAX_LIMIT."""
    return max(1, min(limit, MAX_LIMIT))


def read_client(wire: _Client, where: str) -> Client:
    """Build a Client from its wire form (int IDs become strings)."""
    name = wire.name or " ".join(p for p in (wire.first_name, wire.last_name) if p)
    return Client(
        id=str(wire.id),
        email=wire.email or "",
        name=name,
        create_time=_time(wire.create_time, "a client list", f"{where}.createTime"),
        phone=str(wire.phone or wire.phone_number or "").strip(),
    )


def read_method(wire: _Method) -> TwoFAMethod:
    """Build a TwoFAMethod, lower-casing its name ("SMS" → "sms")."""
    return TwoFAMethod(
        name=wire.name.strip().lower(),
        caption=wire.caption or wire.name,
        is_enabled=bool(wire.is_enabled),
    )


def read_change(raw: dict[str, Any], what: str, where: str) -> TwoFAChange:
    """Build a TwoFAChange from a raw JSON object, keeping unknown fields in ``extra``."""
    change_id = raw.get("id")
    if isinstance(change_id, str) and change_id.isdigit():
        change_id = int(change_id)
    if not isinstance(change_id, int) or isinstance(change_id, bool):
        raise _bad(what, "missing or non-integer `id`", where)
    provider = raw.get("provider")
    if not isinstance(provider, str):
        raise _bad(what, "missing or non-text `provider`", f"{where}.provider")
    if "isEnabled" not in raw:
        raise _bad(what, "missing `isEnabled`", where)
    return TwoFAChange(
        id=change_id,
        provider=provider.strip().lower(),
        is_enabled=_flag(raw["isEnabled"], what, f"{where}.isEnabled"),
        time=_time(raw.get("time"), what, f"{where}.time"),
        extra={key: value for key, value in raw.items() if key not in _CHANGE_FIELDS},
    )


def unwrap(decoded: _Envelope[_W] | list[_W]) -> tuple[list[_W], int | None]:
    """Return the items and claimed total of a ``{total, data}`` envelope or a bare list."""
    if isinstance(decoded, list):
        return decoded, None
    return decoded.data, decoded.total
