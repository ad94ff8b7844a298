"""Reading settings from the environment.

Every helper returns its default when the variable is unset or empty, and raises
ImproperlyConfigured-free ``ValueError`` subclasses never: a bad value is recorded in
``PROBLEMS`` and reported by the system check in ``dashboard.checks`` instead of a traceback
at import time.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# (variable, what is wrong) pairs found while settings were read; see dashboard/checks.py.
PROBLEMS: list[tuple[str, str]] = []

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            PROBLEMS.append((f"{name}_FILE", f"cannot read {path!r}: {exc.strerror}"))
            return default
    return envstr(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    PROBLEMS.append((name, f"{raw!r} is not a boolean (use 1/0, true/false, yes/no)"))
    return default


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        PROBLEMS.append((name, f"{raw!r} is not a whole number"))
        return default
    if value < minimum:
        PROBLEMS.append((name, f"{value} is below the minimum of {minimum}"))
        return default
    return value


def envfloat(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        PROBLEMS.append((name, f"{raw!r} is not a number"))
        return default
    if value < minimum:
        PROBLEMS.append((name, f"{value} is below the minimum of {minimum}"))
        return default
    return value


def envlist(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


_HEADER_NAME = re.compile(r"[A-Za-z0-9-]+")


def proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """Django's SECURE_PROXY_SSL_HEADER from "Header" (meaning https) or "Header=value".

    "X-Forwarded-Proto" gives ("HTTP_X_FORWARDED_PROTO", "https"); unset gives None.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    header, equals, value = raw.partition("=")
    header, value = header.strip(), value.strip()
    if not _HEADER_NAME.fullmatch(header) or (equals and not value) or not value.isprintable():
        PROBLEMS.append(
            (name, f"{raw!r} is not a header name such as X-Forwarded-Proto (or Name=value)")
        )
        return None
    return "HTTP_" + header.upper().replace("-", "_"), value or "https"
