"""PROVIDER_DEADLINE bounds a whole call over a real socket, whatever the server does."""

from __future__ import annotations

import time

import httpx
import pytest

from dashboard.providers.deadline import (
    call_deadline,
    install_deadline,
    keeping,
    shared_deadline,
    shared_time_left,
    time_left,
)
from dashboard.providers.errors import Unavailable
from dashboard.providers.http import ProviderHTTP, Timeouts
from tests.slow_server import (
    Behaviour,
    answers,
    body_dribbled,
    headers_dribbled,
    headers_then_silence,
    never_answers,
    never_closes,
    no_proxies,
    paced,
    running,
    slow_server_error,
)

DEADLINE = 2.0
# The read timeout alone would let every one of these calls run on.
SLOW = Timeouts(connect=1.0, read=10.0, deadline=DEADLINE)


@pytest.fixture(autouse=True)
def _local(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxies(monkeypatch)


def timed_failure(base_url: str, timeouts: Timeouts = SLOW) -> tuple[Unavailable, float]:
    http = ProviderHTTP("wavix", base_url, timeouts=timeouts)
    started = time.monotonic()
    try:
        with pytest.raises(Unavailable) as caught:
            http.request("GET", "/v1/two-fa/service", retry=True)
        elapsed = time.monotonic() - started
    finally:
        http.close()
    print(f"ended after {elapsed:.2f} s (deadline {timeouts.deadline:g} s)")
    return caught.value, elapsed


@pytest.mark.parametrize(
    ("behaviour", "interval"),
    [
        pytest.param(headers_dribbled, 1.0, id="headers-1-byte-per-s"),
        pytest.param(body_dribbled, 1.0, id="body-1-byte-per-s"),
        # Gaps just under the deadline: checking the clock between chunks ends this at 3.6 s.
        pytest.param(body_dribbled, 1.8, id="body-1-byte-per-1.8-s"),
        pytest.param(never_answers, 1.0, id="never-answers"),
        pytest.param(never_closes, 1.8, id="never-closes"),
    ],
)
def test_a_call_ends_within_the_deadline_whatever_the_server_does(
    behaviour: Behaviour, interval: float
) -> None:
    with running(behaviour, interval=interval) as server:
        error, elapsed = timed_failure(server.url)

    assert str(error) == "Wavix did not answer within 2 s."
    assert error.retryable is False
    assert DEADLINE - 0.1 < elapsed < DEADLINE + 1.0
    assert server.connections == 1  # a deadline is not retried


def test_retries_share_the_one_deadline_of_the_call() -> None:
    # A 503 after 1.5 s, then headers a byte every 0.3 s: a deadline counted from the second
    # attempt would end at 3.5 s.
    with running(paced(slow_server_error, 1.5), headers_dribbled, interval=0.3) as server:
        error, elapsed = timed_failure(server.url)

    assert server.connections == 2
    # What Wavix said before the retry ran out of time is what the operator is told.
    assert str(error) == "Wavix failed on its side (503)."
    assert elapsed < DEADLINE + 1.0


def test_a_connection_cut_at_the_deadline_is_not_reused() -> None:
    with running(headers_dribbled, answers, interval=0.3) as server:
        http = ProviderHTTP("wavix", server.url, timeouts=SLOW)
        try:
            with pytest.raises(Unavailable, match="did not answer within 2 s"):
                http.request("GET", "/v1/x", retry=True)
            reply = http.request("GET", "/v1/x", retry=True)
        finally:
            http.close()

    assert reply.status == 200
    assert server.connections == 2


def test_a_fast_drip_is_cut_at_the_deadline() -> None:
    # Every byte comes well within the 1 s read timeout: only the deadline can stop it.
    with running(body_dribbled, interval=0.05) as server:
        error, elapsed = timed_failure(server.url, Timeouts(connect=1.0, read=1.0, deadline=0.6))

    assert str(error) == "Wavix did not answer within 0.6 s."
    assert 0.5 < elapsed < 1.5


def test_silence_after_the_headers_is_cut_at_the_deadline_not_the_read_timeout() -> None:
    with running(headers_then_silence) as server:
        error, elapsed = timed_failure(server.url, Timeouts(connect=1.0, read=10.0, deadline=0.5))

    assert str(error) == "Wavix did not answer within 0.5 s."
    assert elapsed < 1.5


def test_a_read_timeout_shorter_than_the_deadline_still_says_read_timeout() -> None:
    with running(never_answers) as server:
        error, elapsed = timed_failure(server.url, Timeouts(connect=1.0, read=0.3, deadline=10.0))

    # Retried (reads are), each attempt cut by its own read timeout.
    assert str(error) == "Wavix did not answer within 0.3 s."
    assert elapsed < 3.0


def test_the_deadline_sits_under_every_pool_httpx_builds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with httpx.Client() as direct:
        assert install_deadline(direct) == 1
        assert install_deadline(direct) == 1  # wrapped once, not twice
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with httpx.Client() as proxied:
        assert install_deadline(proxied) == 2
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as mocked:
        assert install_deadline(mocked) == 0


def test_a_nested_deadline_never_outlives_the_outer_one() -> None:
    assert time_left() is None
    with call_deadline(1.0), call_deadline(60.0):
        left = time_left()
        assert left is not None
        assert left <= 1.0
    assert time_left() is None


def test_calls_under_a_shared_deadline_share_it_from_the_first_call() -> None:
    with running(headers_dribbled, interval=0.2) as server:
        http = ProviderHTTP("wavix", server.url, timeouts=SLOW)
        try:
            with shared_deadline(DEADLINE):
                time.sleep(0.5)  # before the first call: not counted
                started = time.monotonic()
                with pytest.raises(Unavailable) as first:
                    http.request("GET", "/v1/two-fa/service", retry=True)
                first_took = time.monotonic() - started
                with pytest.raises(Unavailable) as second:
                    http.request("GET", "/v1/two-fa/service", retry=True)
        finally:
            http.close()

    assert str(first.value) == "Wavix did not answer within 2 s."
    assert DEADLINE - 0.1 < first_took < DEADLINE + 1.0
    assert str(second.value) == "Wavix was not asked: no time was left before the deadline."
    assert server.connections == 1


def test_a_call_gets_what_is_left_of_the_shared_deadline() -> None:
    with shared_deadline(60.0):
        assert shared_time_left() == pytest.approx(60.0, abs=1.0)
        with call_deadline(DEADLINE):
            left = time_left()
            assert left is not None
            assert left <= DEADLINE
    with shared_deadline(0.5), call_deadline(60.0):
        left = time_left()
        assert left is not None
        assert left <= 0.5
    assert shared_time_left() is None


def test_keeping_leaves_a_share_of_the_time_to_the_calls_after() -> None:
    with shared_deadline(3.0):
        with keeping(1 / 3):
            inside = time_left()
        after = shared_time_left()
    with keeping(0.5):  # no deadline around: none is made up
        outside = time_left()

    assert inside is not None
    assert 1.8 < inside <= 2.0
    assert after is not None
    assert 2.5 < after <= 3.0
    assert outside is None
