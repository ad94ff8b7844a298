from __future__ import annotations

from tests.verifications.conftest import socket_providers

__all__ = ["socket_providers"]
