"""Keep the sandbox's tables on the "sandbox" database and everything else off it."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

SANDBOX_DB = "sandbox"


def is_sandbox(app_label: str) -> bool:
    # "sandbox" (Wavix and shared machinery) and "sandbox_b2core".
    return app_label == "sandbox" or app_label.startswith("sandbox_")


class SandboxRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_DB if is_sandbox(model._meta.app_label) else "default"

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return SANDBOX_DB if is_sandbox(model._meta.app_label) else "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        return is_sandbox(obj1._meta.app_label) == is_sandbox(obj2._meta.app_label)

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return (db == SANDBOX_DB) == is_sandbox(app_label)
