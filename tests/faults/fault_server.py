"""A provider on a real socket at 127.0.0.1 that answers well, or with one fault, on request.

One server plays Wavix (below /wavix) and B2Core (below /b2core). Each request is noted
(method, path, query) before it is answered, so a test counts the writes that reached the
provider, a faulted one included. A request the current fault's scope covers gets the fault;
any other gets the healthy answer ``answer`` gives for it. The faults that happen before any
byte is exchanged are addresses, not answers: ``refused_url`` (a port bound but not listening:
the kernel answers RST) and ``blackhole_url`` (a listening port whose accept queue is full:
the kernel drops the SYN, so connect() waits until the client gives up).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dashboard.sandbox.faults import mistype

# The faults of the matrix, in the order of its columns.
FAULTS = (
    "refused",
    "connect-timeout",
    "read-timeout",
    "headers-dribbled",
    "body-dribbled",
    "500",
    "502-html",
    "503",
    "429",
    "401",
    "403",
    "malformed-json",
    "wrong-types",
    "50mb",
)
# Faults that are an address rather than an answer: every call fails, whatever the scope.
CONNECT_FAULTS = frozenset({"refused", "connect-timeout"})

HUGE_BYTES = 50 * 1024 * 1024
DRIBBLE_INTERVAL = 0.05  # well below any read timeout: only a deadline stops a dribble
GIVE_UP_AFTER = 20.0  # a slow fault ends by itself, whatever the client does
RETRY_AFTER = "7"  # seconds: longer than the test's deadline, shorter than the retry cap

BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
REASONS = {
    200: "OK",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: dict[str, str]
    faulted: str  # the fault it got, "" when answered well


# (method, path, query) -> (status, JSON payload)
Answer = Callable[[str, str, dict[str, str]], tuple[int, Any]]
Scope = Callable[[str, str], bool]


def everything(method: str, path: str) -> bool:
    return True


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _json_bytes(payload: Any) -> bytes:
    return json.dumps(payload).encode()


@dataclass
class FaultServer:
    """Serves ``answer`` on a thread per connection; ``fault`` and ``scope`` say what breaks."""

    answer: Answer
    fault: str = ""
    scope: Scope = everything
    calls: list[Call] = field(default_factory=list)
    sent_bytes: int = 0  # the most one 50 MB answer got out before the client hung up
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _listener: socket.socket = field(init=False)
    _refused: socket.socket = field(init=False)
    _blackhole: socket.socket = field(init=False)
    _fillers: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        # Bound, never listening: held so that no one else takes the port.
        self._refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refused.bind(("127.0.0.1", 0))
        self._blackhole = self._full_listener()
        self._start(self._serve_forever)

    def _full_listener(self) -> socket.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)  # never accepted: a few handshakes fill its queue
        for _ in range(4):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):  # completed by the kernel, unaccepted
                filler.connect(listener.getsockname())
            self._fillers.append(filler)
        return listener

    # --- addresses ---------------------------------------------------------------------

    @staticmethod
    def _origin(sock: socket.socket) -> str:
        host, port = sock.getsockname()
        return f"http://{host}:{port}"

    def origin_for(self, fault: str) -> str:
        if fault == "refused":
            return self._origin(self._refused)
        if fault == "connect-timeout":
            return self._origin(self._blackhole)
        return self._origin(self._listener)

    # --- control -----------------------------------------------------------------------

    def set(self, fault: str, scope: Scope = everything) -> None:
        with self._lock:
            self.fault, self.scope = fault, scope
            self.calls.clear()
            self.sent_bytes = 0

    def heal(self) -> None:
        """Answer everything well from now on (the calls noted so far are kept)."""
        with self._lock:
            self.fault = ""

    def writes(self, method: str, path_suffix: str) -> int:
        with self._lock:
            return sum(1 for c in self.calls if c.method == method and c.path.endswith(path_suffix))

    def stop(self) -> None:
        self._stop.set()
        for sock in (self._listener, self._refused, self._blackhole, *self._fillers):
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- serving -----------------------------------------------------------------------

    def _start(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
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
            conn.settimeout(GIVE_UP_AFTER)
            self._start(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffered = b""
            try:
                while not self._stop.is_set():
                    request, buffered = self._read_request(conn, buffered)
                    if request is None:
                        return
                    if not self._respond(conn, *request):
                        return
            except OSError:  # the client gave up and closed: what a fault waits for
                return

    @staticmethod
    def _read_request(
        conn: socket.socket, buffered: bytes
    ) -> tuple[tuple[str, str, dict[str, str]] | None, bytes]:
        while b"\r\n\r\n" not in buffered:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            buffered += chunk
        head, _, rest = buffered.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        length = int(headers.get("content-length") or 0)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            rest += chunk
        url = urlsplit(target)
        return (method, url.path, dict(parse_qsl(url.query))), rest[length:]

    def _respond(self, conn: socket.socket, method: str, path: str, query: dict[str, str]) -> bool:
        """Answer one request; False when the connection must end after it."""
        with self._lock:
            fault = self.fault if self.fault and self.scope(method, path) else ""
            self.calls.append(Call(method, path, query, fault))
        status, payload = self.answer(method, path, query)
        if not fault:
            self._send_json(conn, status, _json_bytes(payload))
            return True
        return self._fault(conn, fault, status, payload)

    @staticmethod
    def _send_json(
        conn: socket.socket, status: int, body: bytes, extra: dict[str, str] | None = None
    ) -> None:
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            **(extra or {}),
        }
        conn.sendall(_head(status, headers) + body)

    def _fault(self, conn: socket.socket, fault: str, status: int, payload: Any) -> bool:
        healthy = _json_bytes(payload)
        if fault == "read-timeout":
            self._wait_for_close(conn)
            return False
        if fault == "headers-dribbled":
            # Padded with JSON whitespace: the dribble outlasts any deadline of the test.
            body = healthy + b" " * 4000
            length = str(len(body))
            head = _head(status, {"Content-Type": "application/json", "Content-Length": length})
            self._dribble(conn, head + body)
            return False
        if fault == "body-dribbled":
            body = healthy + b" " * 4000
            conn.sendall(
                _head(
                    status, {"Content-Type": "application/json", "Content-Length": str(len(body))}
                )
            )
            self._dribble(conn, body)
            return False
        if fault in ("500", "503"):
            message = (
                "Internal server error" if fault == "500" else "Service temporarily unavailable"
            )
            self._send_json(conn, int(fault), _json_bytes({"success": False, "message": message}))
            return True
        if fault == "502-html":
            headers = {"Content-Type": "text/html", "Content-Length": str(len(BAD_GATEWAY))}
            conn.sendall(_head(502, headers) + BAD_GATEWAY)
            return True
        if fault == "429":
            body = _json_bytes({"success": False, "message": "Too many requests"})
            self._send_json(conn, 429, body, {"Retry-After": RETRY_AFTER})
            return True
        if fault == "401":
            self._send_json(conn, 401, _json_bytes({"message": "Unauthenticated."}))
            return True
        if fault == "403":
            self._send_json(conn, 403, _json_bytes({"message": "This action is unauthorized."}))
            return True
        # Both as a success: a 404's body (Wavix's empty day) is read for its message only.
        if fault == "malformed-json":
            self._send_json(conn, 200, healthy[: max(1, len(healthy) // 2)])
            return True
        if fault == "wrong-types":
            self._send_json(conn, 200, _json_bytes(mistype(payload)))
            return True
        if fault == "50mb":
            self._huge(conn, healthy)
            return False
        raise AssertionError(f"unknown fault {fault!r}")

    def _wait_for_close(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        ends = time.monotonic() + GIVE_UP_AFTER
        while not self._stop.is_set() and time.monotonic() < ends:
            try:
                if not conn.recv(65536):
                    return
            except TimeoutError:
                continue

    def _dribble(self, conn: socket.socket, data: bytes) -> None:
        ends = time.monotonic() + GIVE_UP_AFTER
        for index in range(len(data)):
            if index and (self._stop.wait(DRIBBLE_INTERVAL) or time.monotonic() > ends):
                return
            conn.sendall(data[index : index + 1])

    def _huge(self, conn: socket.socket, healthy: bytes) -> None:
        """50 MB of a JSON list of the healthy answer, chunked, as fast as it goes."""
        conn.sendall(
            _head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        )
        item = healthy + b","
        block = b"[" + item * max(1, 65536 // len(item))
        sent = 0
        for chunk in _chunks(block, item * max(1, 65536 // len(item)), HUGE_BYTES):
            conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
            with self._lock:
                self.sent_bytes = max(self.sent_bytes, sent)
        conn.sendall(b"0\r\n\r\n")


def _chunks(first: bytes, rest: bytes, total: int) -> Iterator[bytes]:
    yield first
    sent = len(first)
    while sent < total:
        yield rest
        sent += len(rest)
