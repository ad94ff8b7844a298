"""Reading provider answers: the reply record, its size cap, secret scrubbing, error text
(statuses mapped to errors), JSON decoding."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import msgspec

from .errors import (
    BadResponse,
    Forbidden,
    NotFound,
    ProviderError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
    display_name,
)

__all__ = [
    "Reply",
    "Scrubber",
    "cap_stream",
    "decode_json",
    "map_status",
    "parse_retry_after",
    "provider_message",
    "read_capped",
    "size_text",
    "too_large",
]

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


def size_text(limit: int) -> str:
    """A byte count as people read it: "4 MB", "512 KB", "900 bytes" (1 MB = 2**20 bytes)."""
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if limit >= size:
            return f"{limit / size:.4g} {unit}"
    return f"{limit} bytes"


def too_large(provider: str, limit: int, status: int | None = None) -> BadResponse:
    """The error for an answer longer than ``limit`` bytes, refused before it was held whole."""
    return BadResponse(
        provider,
        f"{display_name(provider)} sent an answer larger than {size_text(limit)}, the most "
        "the dashboard accepts; it was not read.",
        status=status,
    )


def read_capped(
    provider: str,
    response: httpx.Response,
    limit: int,
    each_chunk: Callable[[], None] = lambda: None,
) -> bytes:
    """Read a streamed response's body, refusing it (BadResponse) past ``limit`` bytes.

    A declared Content-Length over the limit is refused before any of the body is read;
    otherwise the decoded bytes are counted as they come, so a body that lies about its
    length, or has none (chunked, until close), or inflates when decompressed, is cut too.
    The caller closes the response, which drops the connection with the rest unread.
    ``each_chunk`` runs after every chunk (and may raise).
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(provider, limit, response.status_code)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_large(provider, limit, response.status_code)
        chunks.append(chunk)
        each_chunk()
    return b"".join(chunks)


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, provider: str, stream: httpx.SyncByteStream, limit: int, status: int):
        self._provider = provider
        self._stream = stream
        self._limit = limit
        self._status = status

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._stream:
            size += len(chunk)
            if size > self._limit:
                raise too_large(self._provider, self._limit, self._status)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def cap_stream(provider: str, response: httpx.Response, limit: int) -> None:
    """Make reading ``response`` (``read()``, by us or by httpx) refuse it past ``limit`` bytes.

    For the answers httpx reads itself, or that an auth flow must leave readable again: a
    401 that is answered by renewing the token, and the token answers.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(provider, limit, response.status_code)
    if isinstance(response.stream, httpx.SyncByteStream):
        response.stream = _CappedStream(provider, response.stream, limit, response.status_code)


def _sentence(head: str, detail: str | None) -> str:
    if not detail:
        return head + "."
    text = f"{head}: {detail}"
    return text if text[-1] in ".!?" else text + "."


def map_status(
    provider: str, status: int, headers: httpx.Headers, body: bytes, scrub: Callable[[str], str]
) -> ProviderError:
    """Turn an unexpected HTTP status into the matching ProviderError."""
    name = display_name(provider)
    raw = provider_message(body, headers.get("content-type", ""))
    detail = scrub(raw) if raw else None
    if status == 401:
        return Unauthorized(
            provider, _sentence(f"{name} did not accept our credentials (401)", detail), status=401
        )
    if status == 403:
        return Forbidden(
            provider,
            _sentence(f"{name} refused access (403)", detail),
            status=403,
            detail=detail,
        )
    if status == 404:
        return NotFound(
            provider,
            _sentence(f"{name} found no such record (404)", detail),
            status=404,
            detail=detail,
        )
    if status == 429:
        retry_after = parse_retry_after(headers.get("retry-after"))
        wait = f"; try again in {retry_after:.0f} s" if retry_after is not None else ""
        return RateLimited(
            provider,
            f"{name} is limiting how often we may call it (429){wait}.",
            retry_after=retry_after,
        )
    if status >= 500:
        return Unavailable(
            provider,
            _sentence(f"{name} failed on its side ({status})", detail),
            status=status,
            retry_after=parse_retry_after(headers.get("retry-after")),
        )
    if 400 <= status < 500:
        return Rejected(
            provider, _sentence(f"{name} rejected the request ({status})", detail), status=status
        )
    return BadResponse(
        provider,
        f"{name} answered with an unexpected status ({status}); check its base URL.",
        status=status,
    )
