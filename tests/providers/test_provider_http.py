"""ProviderHTTP: retries, deadlines, error mapping and secret hygiene."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from dashboard.providers.errors import (
    BadResponse,
    Forbidden,
    NotFound,
    ProviderError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
)
from dashboard.providers.http import (
    ProviderHTTP,
    RetryPolicy,
    Timeouts,
    parse_retry_after,
    provider_message,
    tls_context,
)

from .fakes import FakeClock, ScriptedServer, script

BASE = "https://provider.test/sandbox/wavix"


def make_http(
    server: ScriptedServer,
    clock: FakeClock,
    *,
    timeouts: Timeouts | None = None,
    retry: RetryPolicy | None = None,
    secrets: tuple[str, ...] = (),
) -> ProviderHTTP:
    return ProviderHTTP(
        "wavix",
        BASE,
        transport=server.transport,
        secrets=secrets,
        timeouts=timeouts,
        retry=retry,
        sleep=clock.sleep,
        clock=clock,
        rand=lambda: 0.5,
    )


def ok_json(body: object = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"success": True})


def test_relative_paths_join_under_the_base_url_path(clock: FakeClock) -> None:
    server = script(ok_json())
    make_http(server, clock).request(
        "GET", "/v1/two-fa/x", params={"from": "2024-01-01"}, retry=True
    )
    assert str(server.requests[0].url) == f"{BASE}/v1/two-fa/x?from=2024-01-01"


def test_reads_retry_5xx_until_success(clock: FakeClock) -> None:
    server = script(httpx.Response(503), httpx.Response(502), ok_json())
    reply = make_http(server, clock).request("GET", "/v1/x", retry=True)
    assert reply.status == 200
    assert server.calls == 3
    assert len(clock.sleeps) == 2


def test_reads_give_up_after_max_retries(clock: FakeClock) -> None:
    server = script(httpx.Response(500))
    with pytest.raises(Unavailable) as caught:
        make_http(server, clock, retry=RetryPolicy(max_retries=2)).request("GET", "/x", retry=True)
    assert server.calls == 3
    assert caught.value.status == 500


def test_reads_retry_connect_errors(clock: FakeClock) -> None:
    server = script(httpx.ConnectError("refused"), ok_json())
    assert make_http(server, clock).request("GET", "/x", retry=True).status == 200
    assert server.calls == 2


def test_reads_retry_429_honouring_retry_after(clock: FakeClock) -> None:
    server = script(httpx.Response(429, headers={"Retry-After": "3"}), ok_json())
    make_http(server, clock).request("GET", "/x", retry=True)
    assert server.calls == 2
    assert clock.sleeps == [3.0]


def test_retry_after_longer_than_cap_is_not_waited_for(clock: FakeClock) -> None:
    server = script(httpx.Response(429, headers={"Retry-After": "60"}), ok_json())
    with pytest.raises(RateLimited) as caught:
        make_http(server, clock).request("GET", "/x", retry=True)
    assert server.calls == 1
    assert clock.sleeps == []
    assert caught.value.retry_after == 60.0
    assert "60 s" in str(caught.value)


def test_retry_never_sleeps_past_deadline(clock: FakeClock) -> None:
    def slow_429(request: httpx.Request) -> httpx.Response:
        clock.now += 0.5  # the provider took half a second to refuse
        return httpx.Response(429, headers={"Retry-After": "0.8"})

    server = script(slow_429, ok_json())
    http = make_http(server, clock, timeouts=Timeouts(deadline=1.0))
    with pytest.raises(RateLimited):
        http.request("GET", "/x", retry=True)
    assert server.calls == 1
    assert clock.sleeps == []


def test_a_retry_cut_by_the_deadline_reports_what_the_provider_said(clock: FakeClock) -> None:
    def slow_ok(request: httpx.Request) -> httpx.Response:
        clock.now += 5.0  # the retry's answer came too late
        return ok_json()

    server = script(httpx.Response(502, text="<html>Bad Gateway</html>"), slow_ok)
    http = make_http(server, clock, timeouts=Timeouts(deadline=1.0))

    with pytest.raises(Unavailable) as caught:
        http.request("GET", "/x", retry=True)

    assert server.calls == 2
    assert str(caught.value) == "Wavix failed on its side (502)."
    assert caught.value.status == 502


def test_a_first_attempt_cut_by_the_deadline_says_so(clock: FakeClock) -> None:
    def slow_ok(request: httpx.Request) -> httpx.Response:
        clock.now += 5.0
        return ok_json()

    with pytest.raises(Unavailable, match=r"^Wavix did not answer within 1 s\.$"):
        make_http(script(slow_ok), clock, timeouts=Timeouts(deadline=1.0)).request(
            "GET", "/x", retry=True
        )


def test_backoff_sleeps_stay_within_the_deadline(clock: FakeClock) -> None:
    server = script(httpx.Response(503))
    retry = RetryPolicy(max_retries=50, backoff_base=0.4, backoff_cap=0.4)
    with pytest.raises(Unavailable):
        make_http(server, clock, timeouts=Timeouts(deadline=1.0), retry=retry).request(
            "GET", "/x", retry=True
        )
    # rand=0.5 gives 0.2 s pauses: 4 fit before the 1 s deadline, a 5th would end on it.
    assert clock.sleeps == [0.2] * 4
    assert clock.now < 1.0


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(backoff_base=0.2, backoff_cap=2.0)
    assert policy.backoff(1, lambda: 0.0) == 0.0
    assert policy.backoff(1, lambda: 1.0) == pytest.approx(0.2)
    assert policy.backoff(3, lambda: 1.0) == pytest.approx(0.8)
    assert policy.backoff(10, lambda: 1.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(503), httpx.ReadTimeout("slow"), httpx.ConnectError("refused")],
    ids=["503", "timeout", "connect-error"],
)
def test_unretried_calls_are_attempted_exactly_once(
    clock: FakeClock, answer: httpx.Response | Exception
) -> None:
    server = script(answer, ok_json())
    with pytest.raises(Unavailable):
        make_http(server, clock).request("POST", "/x", json={"a": 1}, retry=False)
    assert server.calls == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (400, Rejected),
        (409, Rejected),
        (422, Rejected),
        (500, Unavailable),
        (504, Unavailable),
        (302, BadResponse),
    ],
)
def test_statuses_map_to_error_kinds(
    clock: FakeClock, status: int, kind: type[ProviderError]
) -> None:
    server = script(httpx.Response(status, json={"success": False, "message": "Nope"}))
    with pytest.raises(kind) as caught:
        make_http(server, clock, retry=RetryPolicy(max_retries=0)).request("GET", "/x", retry=True)
    assert caught.value.status == status
    assert caught.value.provider == "wavix"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_are_never_retried(clock: FakeClock, status: int) -> None:
    server = script(httpx.Response(status), ok_json())
    with pytest.raises(ProviderError):
        make_http(server, clock).request("GET", "/x", retry=True)
    assert server.calls == 1


def test_rejected_message_quotes_the_provider(clock: FakeClock) -> None:
    body = {"success": False, "message": 'Request validation errors: Field "to" is required'}
    server = script(httpx.Response(400, json=body))
    with pytest.raises(Rejected) as caught:
        make_http(server, clock).request("POST", "/x", retry=False)
    assert str(caught.value) == (
        'Wavix rejected the request (400): Request validation errors: Field "to" is required.'
    )


def test_rejected_message_falls_back_to_errors_field(clock: FakeClock) -> None:
    body = {"errors": {"email": ["is not valid"], "limit": ["too big"]}}
    server = script(httpx.Response(422, json=body))
    with pytest.raises(Rejected) as caught:
        make_http(server, clock).request("GET", "/x", retry=True)
    assert "email: is not valid; limit: too big" in str(caught.value)


def test_error_message_never_dumps_html(clock: FakeClock) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
    server = script(httpx.Response(400, text=page, headers={"Content-Type": "text/html"}))
    with pytest.raises(Rejected) as caught:
        make_http(server, clock).request("GET", "/x", retry=True)
    assert "<" not in str(caught.value)
    assert str(caught.value) == "Wavix rejected the request (400)."


def test_short_plain_text_error_is_quoted() -> None:
    assert provider_message(b"Too many requests\n", "text/plain") == "Too many requests"


def test_retry_after_accepts_an_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert parse_retry_after(header, now) == pytest.approx(7.0)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("-5", now) == 0.0


def test_api_key_absent_from_logs_and_errors(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    key = "sk-live-0123456789abcdef"
    server = script(
        httpx.Response(503, json={"message": f"backend hiccup for key {key}"}),
        httpx.Response(401, json={"success": False, "error": True, "message": f"Bad key {key}"}),
    )
    http = ProviderHTTP(
        "wavix",
        BASE,
        transport=server.transport,
        headers={"Authorization": f"Bearer {key}"},
        secrets=[key],
        sleep=clock.sleep,
        clock=clock,
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Unauthorized) as caught:
        http.request("GET", "/v1/x", retry=True)
    assert server.requests[0].headers["Authorization"] == f"Bearer {key}"
    assert caplog.records, "the calls should have been logged"
    for text in (caplog.text, str(caught.value), repr(caught.value), repr(http)):
        assert key not in text
    assert "[redacted]" in str(caught.value)


def test_each_attempt_is_logged_with_method_path_and_attempt(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    server = script(httpx.Response(503), ok_json())
    caplog.set_level(logging.DEBUG, logger="dashboard.providers")
    make_http(server, clock).request("GET", "/v1/two-fa/x", retry=True)
    messages = [
        record.getMessage()
        for record in caplog.records
        if record.name == "dashboard.providers.wavix"
    ]
    assert len(messages) == 2
    assert "GET /v1/two-fa/x" in messages[0]
    assert "attempt 1" in messages[0]
    assert "-> 200" in messages[1]
    assert "attempt 2" in messages[1]


def test_provider_clients_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = httpx.create_ssl_context

    def counting(*args: object, **kwargs: object) -> object:
        built.append(args)
        return real()

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    tls_context.cache_clear()
    try:
        clients = [ProviderHTTP("wavix", f"https://wavix-{n}.test") for n in range(3)]
        for client in clients:
            client.close()
    finally:
        tls_context.cache_clear()

    assert len(built) == 1
