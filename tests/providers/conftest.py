"""Fixtures for the provider tests: a fake clock and a slow-drip socket server."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from .fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def drip_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Start a local HTTP server that sends headers, then one body byte per ``interval``.

    Returns a function ``start(interval, silent)`` giving the base URL; with ``silent`` the
    server sends the headers and then nothing at all.
    """
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)  # the server is local: no proxy in between
    stop = threading.Event()
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def serve(listener: socket.socket, interval: float, silent: bool) -> None:
        listener.settimeout(5)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n["
            )
            while not stop.wait(interval):
                if silent:
                    continue
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    def start(interval: float, silent: bool = False) -> str:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listeners.append(listener)
        thread = threading.Thread(target=serve, args=(listener, interval, silent), daemon=True)
        thread.start()
        threads.append(thread)
        host, port = listener.getsockname()
        return f"http://{host}:{port}/prefix"

    yield start
    stop.set()
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(timeout=2)
