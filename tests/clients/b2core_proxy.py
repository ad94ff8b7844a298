"""A recording proxy on a real socket in front of the B2Core sandbox (or of nothing).

Every request that reaches it is noted (method, path after the B2Core prefix, query pairs)
before it is forwarded, so a test can count the calls that reached B2Core, a write that timed
out included. Scripted answers stand in for what the sandbox cannot do (a 403 for a
tag-restricted client); a connection the sandbox drops is dropped here too.
"""

from __future__ import annotations

import functools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from dashboard.sandbox import credentials

PREFIX = credentials.B2CORE_PREFIX
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # after the B2Core prefix
    query: dict[str, str]
    body: bytes = b""


@dataclass
class Script:
    method: str
    path: str  # answered when the path (after the prefix) is exactly this
    status: int
    body: Any


@dataclass
class RecordingProxy:
    upstream: str | None  # the sandbox's origin; None: only scripted answers, else 404
    calls: list[Call] = field(default_factory=list)
    scripts: list[Script] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def answer(self, method: str, path: str, status: int, body: Any) -> None:
        self.scripts.append(Script(method, path, status, body))

    def sent(self, method: str, path_contains: str = "") -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and path_contains in c.path]

    def start(self) -> str:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                path = url.path.removeprefix(PREFIX)
                with proxy._lock:
                    proxy.calls.append(Call(self.command, path, dict(parse_qsl(url.query)), body))
                script = next(
                    (s for s in proxy.scripts if s.method == self.command and s.path == path),
                    None,
                )
                if script is not None or proxy.upstream is None:
                    status, payload = (
                        (script.status, script.body) if script else (404, {"message": "Not found."})
                    )
                    self._send(
                        status, {"Content-Type": "application/json"}, json.dumps(payload).encode()
                    )
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                try:
                    with httpx.Client(timeout=60) as upstream:
                        reply = upstream.request(
                            self.command, proxy.upstream + self.path, headers=headers, content=body
                        )
                        content = reply.content
                except httpx.TransportError:
                    # The sandbox dropped the connection: so does the proxy, without a word.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                kept = {k: v for k, v in reply.headers.items() if k.lower() not in HOP_BY_HOP}
                self._send(reply.status_code, kept, content)

            def _send(self, status: int, headers: dict[str, str], content: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the tests read `calls`

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        serve = functools.partial(self._server.serve_forever, poll_interval=0.01)
        threading.Thread(target=serve, daemon=True).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}{PREFIX}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
