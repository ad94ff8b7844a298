"""Serve the dashboard on 127.0.0.1:PORT from N forked processes, each threaded.

What a deployment does with gunicorn's workers, from the standard library alone (gunicorn
is not a dependency): one listening socket, shared by the forks. For benchmarks only.

Usage: python bench/prefork_serve.py PORT PROCESSES
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.wsgi import get_wsgi_application
from django.db import connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


def main(port: int, processes: int) -> None:
    server = ThreadedServer(("127.0.0.1", port), QuietHandler, bind_and_activate=False)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.server_bind()
    server.server_activate()
    server.set_app(get_wsgi_application())
    connections.close_all()  # each fork opens its own
    children = []
    for _ in range(processes):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            server.serve_forever()
            os._exit(0)
        children.append(pid)
    print(f"serving on http://127.0.0.1:{port} from {processes} processes", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)
        for child in children:
            os.waitpid(child, 0)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.pause()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
