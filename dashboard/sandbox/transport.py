"""An httpx transport that serves requests from the sandbox in this process, without a socket.

It builds a WSGI request and runs Django's handler (URL routing, middleware, faults) directly.
It deliberately skips WSGIHandler.__call__ and HttpResponse.close(): those send
request_started/request_finished, whose receivers close the *caller's* database connections in
the middle of the caller's own request.

The handler runs on a thread of its own, as a server would, so that the caller can stop
waiting: for the headers and for each body chunk it waits at most the request's read timeout,
and never past the deadline of the provider call in progress (a ``latency=35`` fault must not
hold a page 35 s). A request the caller gave up on runs to its end on that thread, which then
closes its own database connections.
"""

from __future__ import annotations

import io
import queue
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote_to_bytes

import httpx
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.urls import get_urlconf, set_urlconf

from dashboard.providers.deadline import time_left
from dashboard.sandbox.faults import SandboxConnectionDropped
from dashboard.sandbox.wsgi import SandboxRequest

WORKER_NAME = "sandbox-request"


class _SandboxRequest(SandboxRequest):
    # Routed through the sandbox's own URLconf (see wsgi.py), never the dashboard's.

    def get_host(self) -> str:
        # Any host name reaches the in-process sandbox; ALLOWED_HOSTS guards real sockets.
        return str(self.META.get("HTTP_HOST") or self.META["SERVER_NAME"])


def _release(response: HttpResponseBase) -> None:
    """What HttpResponseBase.close() does, minus the request_finished signal."""
    closers = response._resource_closers  # type: ignore[attr-defined]  # private, stable since 3.0
    for closer in closers:
        closer()
    closers.clear()


def _respond(handler: BaseHandler, request: HttpRequest) -> HttpResponseBase:
    """The handler's response, leaving this thread's URLconf as it was.

    Django sets the thread's URLconf to the request's (the sandbox's) and resets it only in
    request_finished, which is skipped here: whoever runs the handler next on this thread
    would otherwise reverse() against the sandbox's URLs.
    """
    previous = get_urlconf()
    try:
        return handler.get_response(request)
    finally:
        set_urlconf(previous)


@dataclass(frozen=True)
class _Head:
    status: int
    headers: list[tuple[str, str]]
    # The whole body, or None when chunks follow (a streaming response).
    content: bytes | None


class _End:
    """The body is complete."""


_Part = _Head | bytes | _End | BaseException


class _Exchange:
    """One request served on its own thread; the caller takes its parts as they come."""

    def __init__(self, handler: BaseHandler, request: httpx.Request, served: WSGIRequest):
        self._request = request
        self._parts: queue.SimpleQueue[_Part] = queue.SimpleQueue()
        self._abandoned = threading.Event()
        timeouts = request.extensions.get("timeout") or {}
        self._read_timeout: float | None = timeouts.get("read")
        thread = threading.Thread(
            target=self._serve, args=(handler, served), name=WORKER_NAME, daemon=True
        )
        thread.start()

    def _serve(self, handler: BaseHandler, served: WSGIRequest) -> None:
        response: HttpResponseBase | None = None
        try:
            response = _respond(handler, served)
            headers = [*response.items()]
            headers += [
                ("Set-Cookie", cookie.output(header="").strip())
                for cookie in response.cookies.values()
            ]
            if not isinstance(response, StreamingHttpResponse):
                content = getattr(response, "content", b"")
                self._parts.put(_Head(response.status_code, headers, content))
                return
            self._parts.put(_Head(response.status_code, headers, None))
            # A sync view's streaming content is a plain iterator of bytes.
            for chunk in cast(Iterator[bytes], response.streaming_content):
                if self._abandoned.is_set():
                    return
                self._parts.put(bytes(chunk))
            self._parts.put(_End())
        except SandboxConnectionDropped as exc:
            # What a client sees when a server closes the socket mid-body.
            error = httpx.RemoteProtocolError(str(exc), request=self._request)
            error.__cause__ = exc
            self._parts.put(error)
        except BaseException as exc:  # handed to the caller, who raises it
            self._parts.put(exc)
        finally:
            if response is not None:
                _release(response)
            # This thread's own connections (they are per thread), not the caller's.
            connections.close_all()

    def next_part(self) -> _Head | bytes | _End:
        """The next part, waited for at most the read timeout and never past the deadline."""
        limits = [t for t in (self._read_timeout, time_left()) if t is not None]
        try:
            part = self._parts.get(timeout=max(0.0, min(limits)) if limits else None)
        except queue.Empty:
            self.abandon()
            raise httpx.ReadTimeout(
                "the in-process sandbox did not answer in time", request=self._request
            ) from None
        if isinstance(part, BaseException):
            self.abandon()
            raise part
        return part

    def abandon(self) -> None:
        self._abandoned.set()


class _StreamedBody(httpx.SyncByteStream):
    def __init__(self, exchange: _Exchange) -> None:
        self._exchange = exchange

    def __iter__(self) -> Iterator[bytes]:
        while not isinstance(part := self._exchange.next_part(), _End):
            if isinstance(part, bytes):
                yield part

    def close(self) -> None:
        self._exchange.abandon()


class SandboxTransport(httpx.BaseTransport):
    def __init__(self) -> None:
        self._handler: BaseHandler | None = None
        self._lock = threading.Lock()

    def _loaded_handler(self) -> BaseHandler:
        with self._lock:
            if self._handler is None:
                handler = BaseHandler()
                handler.load_middleware()
                self._handler = handler
            return self._handler

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        environ = _environ(request, request.read())
        exchange = _Exchange(self._loaded_handler(), request, _SandboxRequest(environ))
        head = exchange.next_part()
        if not isinstance(head, _Head):
            raise httpx.RemoteProtocolError("the sandbox sent no headers", request=request)
        if head.content is None:
            stream: httpx.SyncByteStream = _StreamedBody(exchange)
        else:
            stream = httpx.ByteStream(head.content)
        return httpx.Response(head.status, headers=head.headers, stream=stream, request=request)


def _environ(request: httpx.Request, body: bytes) -> dict[str, Any]:
    url = request.url
    path = url.raw_path.split(b"?", 1)[0]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        # WSGI carries the percent-decoded path as latin-1 text (PEP 3333).
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": url.query.decode("ascii", "replace"),
        "SERVER_NAME": url.host,
        "SERVER_PORT": str(url.port or (443 if url.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.multi_items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if key == "CONTENT_TYPE":
                environ[key] = value
            continue
        key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
