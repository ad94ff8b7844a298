"""A fake B2Core Back Office on a real socket that pages as outside implementations do.

It serves ``/api/v2/clients`` and ``/api/v2/clients/{id}/2fa/changes`` from fixed lists and
can misreport ``total``, cap ``limit`` silently, answer a bare list, ignore ``offset``, or
grow a list while it is walked. Every request's path and query pairs are recorded.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

TOKEN = "fake-back-office-token"
PREFIX = "/b2core"
CHANGES_PATH = re.compile(r"/api/v2/clients/([^/]+)/2fa/changes")

Record = dict[str, Any]
TotalMode = Literal["true", "one", "page", "high", "missing"]


@dataclass
class Behaviour:
    """How the fake misbehaves when it answers a list request."""

    total: TotalMode = "true"  # one: B2Core's own example; page: the count on this page
    cap: int | None = None  # serve at most this many records whatever `limit` asks
    bare: bool = False  # a bare JSON list instead of {total, data}
    ignore_offset: bool = False  # always the first page
    grow: int = 0  # this many new records go in front, one after each answer (newest first)


@dataclass
class Listing:
    records: list[Record]
    new_record: Callable[[int], Record]


@dataclass
class FakeBackOffice:
    clients: Listing
    changes: dict[str, Listing]
    behaviour: Behaviour = field(default_factory=Behaviour)
    requests: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, payload = fake.answer(self.path, self.headers.get("Authorization"))
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the tests read `requests` instead

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice.
        serve = functools.partial(self._server.serve_forever, poll_interval=0.01)
        threading.Thread(target=serve, daemon=True).start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}{PREFIX}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def params(self, path: str) -> list[dict[str, str]]:
        """The query of every request to ``path`` (after the prefix), each name sent once."""
        sent = []
        for requested, pairs in self.requests:
            if requested == path:
                names = [name for name, _ in pairs]
                assert len(names) == len(set(names)), f"a parameter sent twice: {pairs}"
                sent.append(dict(pairs))
        return sent

    def answer(self, target: str, authorization: str | None) -> tuple[int, Any]:
        url = urlsplit(target)
        path = url.path.removeprefix(PREFIX)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        with self._lock:
            self.requests.append((path, pairs))
            if authorization != f"Bearer {TOKEN}":
                return 401, {"message": "Unauthenticated."}
            if path == "/api/v2/clients":
                return 200, self._page(self.clients, dict(pairs))
            match = CHANGES_PATH.fullmatch(path)
            if match and match[1] in self.changes:
                return 200, self._page(self.changes[match[1]], dict(pairs))
            return 404, {"message": "Not found."}

    def _page(self, listing: Listing, params: dict[str, str]) -> Any:
        behaviour = self.behaviour
        limit = int(params.get("limit", "20"))
        if behaviour.cap is not None:
            limit = min(limit, behaviour.cap)
        offset = 0 if behaviour.ignore_offset else int(params.get("offset", "0"))
        records = listing.records
        data = records[offset : offset + limit]
        total = {
            "true": len(records),
            "one": 1,
            "page": len(data),
            "high": len(records) * 10,
            "missing": None,
        }[behaviour.total]
        if behaviour.grow:
            behaviour.grow -= 1
            records.insert(0, listing.new_record(len(records)))
        if behaviour.bare:
            return data
        return {"data": data} if total is None else {"total": total, "data": data}
