"""An httpx transport that serves requests from the sandbox in this process, without a socket.

It builds a WSGI request and runs Django's handler (URL routing, middleware, faults) directly.
It deliberately skips WSGIHandler.__call__ and HttpResponse.close(): those send
request_started/request_finished, whose receivers close the *caller's* database connections in
the middle of the caller's own request.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import unquote_to_bytes

import httpx
from django.core.handlers.base import BaseHandler
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.urls import get_urlconf, set_urlconf

from dashboard.sandbox.faults import SandboxConnectionDropped
from dashboard.sandbox.wsgi import SandboxRequest


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
    request_finished, which is skipped here: the caller, a dashboard view, would otherwise
    reverse() its own URLs against the sandbox's.
    """
    previous = get_urlconf()
    try:
        return handler.get_response(request)
    finally:
        set_urlconf(previous)


class _StreamedBody(httpx.SyncByteStream):
    def __init__(self, response: StreamingHttpResponse) -> None:
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        try:
            # A sync view's streaming content is a plain iterator of bytes.
            for chunk in cast(Iterator[bytes], self._response.streaming_content):
                yield bytes(chunk)
        except SandboxConnectionDropped as exc:
            # What a client sees when a server closes the socket mid-body.
            raise httpx.RemoteProtocolError(str(exc)) from exc

    def close(self) -> None:
        _release(self._response)


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
        response = _respond(self._loaded_handler(), _SandboxRequest(environ))
        headers = [*response.items()]
        headers += [
            ("Set-Cookie", cookie.output(header="").strip()) for cookie in response.cookies.values()
        ]
        if isinstance(response, StreamingHttpResponse):
            stream: httpx.SyncByteStream = _StreamedBody(response)
        else:
            content = getattr(response, "content", b"")
            _release(response)
            stream = httpx.ByteStream(content)
        return httpx.Response(response.status_code, headers=headers, stream=stream, request=request)


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
