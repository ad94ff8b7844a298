"""What a server's worker does once at start (dashboard/wsgi.py)."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator

import pytest


@pytest.fixture
def fresh_wsgi_import() -> Iterator[None]:
    sys.modules.pop("dashboard.wsgi", None)
    gc.unfreeze()
    yield
    # The rest of the suite runs with the collector as it found it.
    gc.unfreeze()


def test_the_worker_freezes_what_it_loaded_at_start_out_of_collections(fresh_wsgi_import):
    assert gc.get_freeze_count() == 0
    module = importlib.import_module("dashboard.wsgi")
    assert callable(module.application)
    assert gc.get_freeze_count() > 10_000
