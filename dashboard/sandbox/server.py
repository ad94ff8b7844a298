"""The threaded WSGI server behind ``sandbox_serve``: Django's runserver classes, plus one fix.

When a response body fails part-way (the "drop" fault, or any error once headers are out),
the connection is closed, as production servers do. Django's development handler would keep
the connection alive and leave the client waiting for bytes that never come.
"""

from __future__ import annotations

import sys

from django.core.servers import basehttp

from dashboard.sandbox.faults import SandboxConnectionDropped


class _ServerHandler(basehttp.ServerHandler):
    request_handler: basehttp.WSGIRequestHandler  # set by the request handler, as in Django

    def handle_error(self) -> None:
        self.request_handler.close_connection = True
        if isinstance(sys.exc_info()[1], SandboxConnectionDropped):
            return  # on purpose: no traceback in the log
        super().handle_error()


class SandboxRequestHandler(basehttp.WSGIRequestHandler):
    # Headers and body go out in separate writes; with Nagle's algorithm on, a reused
    # connection stalls ~40 ms on the peer's delayed ACK before each body.
    disable_nagle_algorithm = True

    def handle_one_request(self) -> None:
        # Django's own method (django/core/servers/basehttp.py), with _ServerHandler.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


class SandboxServer(basehttp.ThreadedWSGIServer):
    daemon_threads = True
