"""A raw-socket HTTP server on 127.0.0.1 that misbehaves slowly, for deadline tests.

Each accepted connection is served on its own thread by the next behaviour in a script (the
last one repeats), so retries meet the behaviour a test asked for.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n"
# No Content-Length and not chunked: the body runs until the server closes (RFC 9112, 6.3).
HEADERS_UNTIL_CLOSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
SERVER_ERROR = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Retry-After: 0\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
)

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

# What a connection gets: (connection, stop event, interval).
Behaviour = Callable[[socket.socket, threading.Event, float], None]


def _dribble(conn: socket.socket, stop: threading.Event, interval: float, data: bytes) -> None:
    for index in range(len(data)):
        if index and stop.wait(interval):
            return
        conn.sendall(data[index : index + 1])


def headers_dribbled(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Status line and headers one byte per interval (they never finish in a test)."""
    _dribble(conn, stop, interval, HEADERS + b"[" + b" " * 9998 + b"]")


def body_dribbled(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Valid headers at once, then the body one byte per interval."""
    conn.sendall(HEADERS)
    _dribble(conn, stop, interval, b"[" + b" " * 9998 + b"]")


def never_answers(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Accept, read the request, send nothing."""
    stop.wait()


def never_closes(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Headers and a body with no length, a little more every interval, never the end."""
    conn.sendall(HEADERS_UNTIL_CLOSE + b"[")
    while not stop.wait(interval):
        conn.sendall(b" " * 16)


def headers_then_silence(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """Valid headers at once, then nothing at all."""
    conn.sendall(HEADERS + b"[")
    stop.wait()


def answers(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """A complete 200 at once, on a connection kept open for more."""
    conn.sendall(OK)
    while not stop.is_set():
        if not conn.recv(65536):
            return
        conn.sendall(OK)


def slow_server_error(conn: socket.socket, stop: threading.Event, interval: float) -> None:
    """A retryable 503, after one interval."""
    if not stop.wait(interval):
        conn.sendall(SERVER_ERROR)


def paced(behaviour: Behaviour, interval: float) -> Behaviour:
    """``behaviour`` at its own interval, whatever the server's."""

    def run(conn: socket.socket, stop: threading.Event, _: float) -> None:
        behaviour(conn, stop, interval)

    return run


@dataclass
class SlowServer:
    """Serves ``script`` (one behaviour per connection, the last repeating) every ``interval``."""

    script: Sequence[Behaviour]
    interval: float = 1.0
    connections: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _listener: socket.socket = field(init=False)

    def __post_init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._accept(threading.Thread(target=self._serve_forever, daemon=True))

    @property
    def url(self) -> str:
        host, port = self._listener.getsockname()
        return f"http://{host}:{port}/prefix"

    def _accept(self, thread: threading.Thread) -> None:
        self._threads.append(thread)
        thread.start()

    def _serve_forever(self) -> None:
        # A blocking accept() is not woken by close() from another thread: poll instead.
        self._listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed by stop()
                return
            conn.settimeout(30)
            behaviour = self.script[min(self.connections, len(self.script) - 1)]
            self.connections += 1
            self._accept(threading.Thread(target=self._serve, args=(conn, behaviour), daemon=True))

    def _serve(self, conn: socket.socket, behaviour: Behaviour) -> None:
        with conn:
            try:
                conn.recv(65536)
                behaviour(conn, self._stop, self.interval)
            except OSError:  # the client gave up and closed: what we wait for
                return

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


@contextmanager
def running(*script: Behaviour, interval: float = 1.0) -> Iterator[SlowServer]:
    server = SlowServer(script, interval)
    try:
        yield server
    finally:
        server.stop()


def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """The server is local: no proxy from the environment in between."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
