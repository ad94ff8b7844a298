"""Fixtures for the provider tests (the slow socket server is tests/slow_server.py)."""

from __future__ import annotations

import pytest

from .fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
