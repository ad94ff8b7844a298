"""Reading provider answers: the reply record, secret scrubbing, error text, JSON decoding."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import msgspec

from .errors import BadResponse, display_name

__all__ = ["Reply", "Scrubber", "decode_json", "parse_retry_after", "provider_message"]

T = TypeVar("T")

_MAX_DETAIL = 300
_REDACTED = "[redacted]"


@dataclass(frozen=True)
class Reply:
    """A provider's answer, fully read: status, headers and the raw body."""

    status: int
    headers: httpx.Headers
    body: bytes = field(repr=False)


class Scrubber:
    """Replaces known secrets in text; tokens learnt at run time can be added."""

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Remember a secret (ignored when too short to be one)."""
        if len(secret) < 4:
            return
        with self._lock:
            # Longest first, so a secret containing another is replaced whole.
            self._secrets = tuple(sorted({*self._secrets, secret}, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        """Return ``text`` with every known secret replaced."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, _REDACTED)
        return text

    def extended(self, extra: Sequence[str]) -> Callable[[str], str]:
        """Return a scrub function that also hides ``extra`` (for one call only)."""
        if not extra:
            return self

        def scrub(text: str) -> str:
            text = self(text)
            for secret in extra:
                if secret:
                    text = text.replace(secret, _REDACTED)
            return text

        return scrub

    def __repr__(self) -> str:
        return f"Scrubber({len(self._secrets)} secrets)"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read a Retry-After header (seconds or an HTTP-date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _flatten(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list):
        return "; ".join(part for part in (_flatten(item) for item in value) if part)
    if isinstance(value, dict):
        parts = (f"{key}: {_flatten(item)}" for key, item in value.items())
        return "; ".join(parts)
    return ""


def _looks_like_html(body: bytes, content_type: str) -> bool:
    return "html" in content_type.lower() or body.lstrip()[:1] == b"<"


def provider_message(body: bytes, content_type: str = "") -> str | None:
    """Return the provider's own short explanation from an error body, if it gave one.

    JSON ``message``, then ``errors`` (string, list or field map), then ``error`` as text;
    else a short plain-text body. Never an HTML page.
    """
    if not body.strip() or _looks_like_html(body, content_type):
        return None
    try:
        data = msgspec.json.decode(body)
    except (msgspec.DecodeError, ValueError):
        text = body.decode("utf-8", "replace").strip().splitlines()[0]
        return text[:_MAX_DETAIL] if text.isprintable() else None
    if not isinstance(data, dict):
        return _flatten(data)[:_MAX_DETAIL] or None
    for key in ("message", "errors", "error", "detail"):
        text = _flatten(data.get(key))
        if text:
            return text[:_MAX_DETAIL]
    return None


def decode_json(provider: str, reply: Reply, decoder: msgspec.json.Decoder[T], *, what: str) -> T:
    """Decode a reply's JSON body; anything unreadable becomes BadResponse saying why."""
    name = display_name(provider)
    if _looks_like_html(reply.body, reply.headers.get("content-type", "")):
        raise BadResponse(
            provider,
            f"{name} answered HTML instead of JSON (status {reply.status}).",
            status=reply.status,
        )
    if not reply.body.strip():
        raise BadResponse(
            provider,
            f"{name} answered with an empty body (status {reply.status}).",
            status=reply.status,
        )
    try:
        return decoder.decode(reply.body)
    except msgspec.ValidationError as exc:
        reason = str(exc).replace(" - at `", " at `")
        raise BadResponse(
            provider, f"{name} sent {what} we cannot read: {reason}.", status=reply.status
        ) from exc
    except (msgspec.DecodeError, ValueError) as exc:
        raise BadResponse(
            provider,
            f"{name} answered malformed JSON (status {reply.status}).",
            status=reply.status,
        ) from exc
