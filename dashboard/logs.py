"""Logging: plain lines for a terminal, JSON lines for production (LOG_FORMAT), and the
request id that ties a request's lines (its provider calls, its operator actions) together.

Structured lines are written as ``log.info("provider call", extra={...})``: the JSON
formatter (python-json-logger) makes each extra a key; the plain formatter appends them as
``key=value`` after the message, so a terminal shows the same facts.

No Django here: settings.py builds LOGGING from it (the request id is set by
dashboard/request_ids.py).
"""

from __future__ import annotations

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

from dashboard.providers.calllog import current_request_id

LOG_FORMATS = ("plain", "json")
_STANDARD = frozenset(RESERVED_ATTRS) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    """The standard format, then every extra field of the record as ``key=value``."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{key}={_value(value)}"
            for key, value in record.__dict__.items()
            if key not in _STANDARD and not key.startswith("_") and value not in ("", None)
        ]
        return f"{line} {' '.join(extras)}" if extras else line


def _value(value: object) -> str:
    text = str(value)
    return repr(text) if (" " in text or not text) else text


class RequestIdFilter(logging.Filter):
    """Adds the request id being served to every record that does not carry one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting for ``log_format`` ("plain" or "json")."""
    layout = "%(asctime)s %(levelname)s %(name)s %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "dashboard.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"()": "dashboard.logs.KeyValueFormatter", "format": layout},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": layout,
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Every 4xx the sandbox answers on purpose would otherwise be logged as a warning.
            "django.request": {"level": "ERROR"},
            "httpx": {"level": "WARNING"},
            # One INFO line per sign-in, sign-out and cleanup; its warnings (failures) remain.
            "axes": {"level": "WARNING"},
        },
    }
