"""Single flight through the cache (the local-memory cache here; Redis: test_redis.py)."""

from __future__ import annotations

import httpx
import pytest
from django.core.cache import cache

from dashboard import leases
from dashboard.providers.wavix import WavixClient
from dashboard.verifications.page_sync import PageBudget
from dashboard.verifications.service_catalog import ensure_catalog
from tests.verifications.fake_wavix import FakeWavix


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_lease_is_refused_to_another_holder_until_released():
    first = leases.take("job", seconds=60)
    assert first is not None

    assert leases.take("job", seconds=60) is None
    assert first.release() is True

    again = leases.take("job", seconds=60)
    assert again is not None
    assert again.token != first.token


def test_leases_on_different_names_do_not_meet():
    assert leases.take("one", seconds=60) is not None
    assert leases.take("two", seconds=60) is not None


def test_a_holder_whose_lease_ran_out_cannot_release_the_next_holder():
    late = leases.take("job", seconds=60)
    assert late is not None
    cache.delete("lease:job")  # as if its lease had expired
    current = leases.take("job", seconds=60)
    assert current is not None

    assert late.release() is False
    assert leases.holder("job") == current.token


def test_a_lease_used_as_a_context_manager_is_released_after_the_block():
    lease = leases.take("job", seconds=60)
    assert lease is not None
    with lease:
        assert leases.holder("job") == lease.token

    assert leases.holder("job") is None


@pytest.mark.django_db
def test_a_catalog_refresh_is_left_to_whoever_holds_its_lease():
    fake = FakeWavix()
    asked: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return fake.handle(request)

    client = WavixClient("http://fake-wavix.test", "k", transport=httpx.MockTransport(handle))
    other_process = leases.take("catalog-refresh", seconds=60)
    assert other_process is not None

    assert ensure_catalog(client, PageBudget.start(5)) == ""
    assert asked == []

    other_process.release()
    ensure_catalog(client, PageBudget.start(5))
    assert asked == ["/v1/two-fa/service"]
    assert leases.holder("catalog-refresh") is None
