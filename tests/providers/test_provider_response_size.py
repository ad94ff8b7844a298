"""A provider answer past the size cap is refused as it streams in, never held whole."""

from __future__ import annotations

import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from dashboard.providers.b2core import B2CoreClient
from dashboard.providers.errors import BadResponse
from dashboard.providers.http import MAX_RESPONSE_BYTES, ProviderHTTP, Timeouts
from dashboard.providers.wavix import MAX_SESSIONS_BYTES, WavixClient
from tests.slow_server import Behaviour, no_proxies, running

HUGE = 50 * 1024 * 1024
BLOCK = b"[" + b'{"padding": "' + b"x" * 65_000 + b'"},'
CAP = 1024 * 1024
SESSION = "fedcba9876543210fedcba9876543210"


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxies(monkeypatch)


class Sent:
    """Bytes a behaviour managed to send before the client hung up."""

    def __init__(self) -> None:
        self.bytes = 0


def huge_chunked(sent: Sent) -> Behaviour:
    """50 MB of JSON, chunked (no length announced), as fast as the client takes it."""

    def run(conn: socket.socket, stop: threading.Event, interval: float) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        while sent.bytes < HUGE and not stop.is_set():
            conn.sendall(f"{len(BLOCK):x}\r\n".encode() + BLOCK + b"\r\n")
            sent.bytes += len(BLOCK)
        conn.sendall(b"0\r\n\r\n")

    return run


def declared_huge(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Announces 50 MB, sends a few bytes, then nothing: only the announcement can be read."""
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {HUGE}\r\n\r\n[".encode()
    )
    stop.wait()


def http_for(url: str, cap: int = CAP) -> ProviderHTTP:
    return ProviderHTTP(
        "wavix", url, timeouts=Timeouts(connect=2, read=5, deadline=20), max_response_bytes=cap
    )


def test_a_streamed_50_mb_answer_is_cut_at_the_cap_not_read_whole() -> None:
    sent = Sent()
    with running(huge_chunked(sent)) as server:
        http = http_for(server.url)
        tracemalloc.start()
        try:
            with pytest.raises(BadResponse) as caught:
                http.request("GET", "/v1/two-fa/service", retry=True)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            http.close()

    assert str(caught.value) == (
        "Wavix sent an answer larger than 1 MB, the most the dashboard accepts; it was not read."
    )
    assert peak < 8 * CAP  # the cap and the chunks in flight, not 50 MB
    assert sent.bytes < HUGE / 2  # the connection was dropped, not drained


def test_an_announced_length_past_the_cap_is_refused_before_the_body_is_read() -> None:
    with running(declared_huge) as server:
        http = http_for(server.url)
        started = time.monotonic()
        try:
            with pytest.raises(BadResponse, match="larger than 1 MB"):
                http.request("GET", "/v1/two-fa/service", retry=True)
        finally:
            http.close()

    assert time.monotonic() - started < 5  # not the 20 s deadline: nothing was waited for
    assert server.connections == 1  # an unreadable answer is not asked for again


def test_an_answer_within_the_cap_is_read() -> None:
    body = b'{"success": true, "padding": "' + b"x" * (CAP - 100) + b'"}'
    http = ProviderHTTP(
        "wavix",
        "https://wavix.test",
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
        max_response_bytes=CAP,
    )

    assert http.request("GET", "/x", retry=True).body == body


def _sessions_of(size: int) -> bytes:
    row = (
        b'{"session_id": "' + SESSION.encode() + b'", "status": "pending", '
        b'"created_at": "2025-01-02T03:04:05+00:00", "charge": "0.05"}'
    )
    rows = [row] * (size // len(row) + 1)
    return b"[" + b",".join(rows) + b"]"


def _streamed(body: bytes, status: int = 200) -> httpx.Response:
    # No Content-Length: the cap must count the bytes as they come.
    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    return httpx.Response(status, content=chunks(), headers={"Content-Type": "application/json"})


def test_the_wavix_sessions_list_has_a_larger_cap_of_its_own() -> None:
    big = _sessions_of(2 * CAP)

    def answer(request: httpx.Request) -> httpx.Response:
        return _streamed(big)

    wavix = WavixClient(
        "https://wavix.test",
        "key",
        transport=httpx.MockTransport(answer),
        max_response_bytes=CAP,
        max_sessions_bytes=4 * CAP,
    )

    sessions = wavix.list_sessions("0" * 32, date(2025, 1, 2), date(2025, 1, 2))
    with pytest.raises(BadResponse, match="larger than 1 MB"):
        wavix.list_events(SESSION)

    assert len(sessions) > 1000


def test_the_default_sessions_cap_holds_a_day_of_200000_sessions() -> None:
    # As Wavix (and the sandbox) writes a session: ~270 bytes with its separator.
    row = (
        b'{"created_at": "2025-01-02T03:04:05+00:00", "session_id": "' + SESSION.encode() + b'", '
        b'"phone_number": "447911123456", "destination_country": "GB", "status": "verified", '
        b'"charge": "0.0500", "service_id": "0123456789abcdef0123456789abcdef", '
        b'"service_name": "Acme Login"}, '
    )

    assert 200_000 * len(row) < MAX_SESSIONS_BYTES
    assert MAX_RESPONSE_BYTES < MAX_SESSIONS_BYTES


@pytest.mark.parametrize("announced", [True, False], ids=["with-length", "chunked"])
def test_a_huge_b2core_token_answer_is_refused(announced: bool) -> None:
    huge = b'{"accessToken": {"token": "' + b"x" * (CAP // 2) + b'"}}'

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/api/v2/signin"):
            return httpx.Response(200, content=huge) if announced else _streamed(huge)
        return httpx.Response(200, json={"data": []})

    b2core = B2CoreClient(
        "https://b2core.test",
        email="ops@example.com",
        password="pw-123456",
        transport=httpx.MockTransport(answer),
    )

    with pytest.raises(BadResponse, match="B2Core sent an answer larger than 64 KB"):
        b2core.get_methods("1001")


def test_a_huge_401_is_not_read_whole_before_the_token_is_renewed() -> None:
    huge = b'{"message": "' + b"x" * CAP + b'"}'
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/api/v2/refresh"):
            return httpx.Response(200, json={"accessToken": {"token": "new-access-token"}})
        return _streamed(huge, 401) if len(calls) == 1 else httpx.Response(200, json={"data": []})

    b2core = B2CoreClient(
        "https://b2core.test",
        access_token="old-access-token",
        refresh_token="refresh-token",
        transport=httpx.MockTransport(answer),
    )

    with pytest.raises(BadResponse, match="larger than 64 KB"):
        b2core.get_methods("1001")
