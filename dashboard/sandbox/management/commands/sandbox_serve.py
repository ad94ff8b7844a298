"""Serve the sandbox (its own URLconf, none of the dashboard's pages) on its own port, on a
threaded WSGI server."""

from __future__ import annotations

import contextlib
import ipaddress
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.server import SandboxRequestHandler, SandboxServer
from dashboard.sandbox.wsgi import SandboxWSGIHandler


class Command(BaseCommand):
    help = "Serve the sandbox over HTTP; prints 'sandbox listening on http://HOST:PORT'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001, help="0 = any free port")
        parser.add_argument("--migrate", action="store_true", help="migrate the sandbox DB first")
        parser.add_argument("--seed-if-empty", action="store_true")
        parser.add_argument("--sessions", type=int, default=30_000)
        parser.add_argument("--clients", type=int, default=500)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        real = [name for name in ("WAVIX_BASE_URL", "B2CORE_BASE_URL") if getattr(settings, name)]
        if real and not _is_loopback(options["host"]):
            # Its keys are public, and it shares its tables (fault rules, clock) with the
            # in-process sandbox that plays the provider left unconfigured.
            raise CommandError(
                f"Refusing to serve the sandbox on {options['host']} while a real provider is "
                f"configured ({', '.join(real)}): serve it on 127.0.0.1."
            )
        if options["migrate"]:
            call_command("migrate", database=SANDBOX_DB, verbosity=0, interactive=False)
        if options["seed_if_empty"]:
            seed_options: dict[str, Any] = {
                "sessions": options["sessions"],
                "clients": options["clients"],
                "if_empty": True,
            }
            if options["seed"] is not None:
                seed_options["seed"] = options["seed"]
            call_command("sandbox_seed", stdout=sys.stderr, **seed_options)
        server = SandboxServer((options["host"], options["port"]), SandboxRequestHandler)
        server.set_app(SandboxWSGIHandler())
        port = server.server_address[1]  # the real one when --port 0
        # The one line on stdout: tests and scripts wait for it before connecting.
        self.stdout.write(f"sandbox listening on http://{options['host']}:{port}")
        self.stdout.flush()
        try:
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
                server.serve_forever()
        finally:
            server.server_close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to anything
