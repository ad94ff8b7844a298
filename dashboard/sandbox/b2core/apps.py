from __future__ import annotations

from django.apps import AppConfig


class SandboxB2CoreConfig(AppConfig):
    # The label starts with "sandbox_" so that routers.py keeps these tables on the sandbox DB.
    name = "dashboard.sandbox.b2core"
    label = "sandbox_b2core"
    verbose_name = "Sandbox: B2Core"
