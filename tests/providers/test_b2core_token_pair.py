"""B2CoreClient with a token pair: refresh on 401, hooks for keeping pairs, auth problems."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
import respx

from dashboard.providers.b2core import B2CoreClient, TokenPair
from dashboard.providers.errors import (
    Forbidden,
    NotFound,
    TwoFactorRequired,
    Unauthorized,
    Unavailable,
)

from .fakes import FakeClock
from .test_b2core_client import BASE, EMAIL, METHODS, PASSWORD, bearer, tokens


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(base_url=BASE, assert_all_called=False)


def pair_client(router: respx.MockRouter, clock: FakeClock, **kwargs: object) -> B2CoreClient:
    options: dict[str, object] = {"access_token": "given-access", "refresh_token": "given-refresh"}
    options.update(kwargs)
    return B2CoreClient(
        BASE,
        transport=httpx.MockTransport(router.handler),
        sleep=clock.sleep,
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def first_401_then(
    answer: httpx.Response,
) -> tuple[list[str], Callable[[httpx.Request], httpx.Response]]:
    sent: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(bearer(request))
        return httpx.Response(401) if len(sent) == 1 else answer

    return sent, respond


def test_refreshes_the_given_pair_once_on_401_and_retries_the_call(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    refresh = router.post("/api/v2/refresh").respond(json=tokens("access-2", "refresh-2"))
    signin = router.post("/api/v2/signin")
    sent, respond = first_401_then(httpx.Response(200, json=METHODS))
    router.get("/api/v2/clients/42/2fa").mock(side_effect=respond)

    assert len(pair_client(router, clock).get_methods(42)) == 2

    assert refresh.call_count == 1
    assert json.loads(refresh.calls.last.request.content) == {"refreshToken": "given-refresh"}
    assert sent == ["Bearer given-access", "Bearer access-2"]
    assert signin.call_count == 0


def test_each_new_pair_is_handed_to_on_tokens_with_its_expiry(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(json=tokens("access-2", "refresh-2"))
    _sent, respond = first_401_then(httpx.Response(200, json=METHODS))
    router.get("/api/v2/clients/42/2fa").mock(side_effect=respond)
    kept: list[TokenPair] = []

    pair_client(router, clock, on_tokens=kept.append).get_methods(42)

    assert kept == [
        TokenPair(
            "access-2",
            "refresh-2",
            datetime(2024, 1, 1, 1, tzinfo=UTC),
            datetime(2024, 1, 1, 1, tzinfo=UTC),
        )
    ]
    assert "access-2" not in repr(kept[0])
    assert "refresh-2" not in repr(kept[0])


def test_a_refresh_token_alone_is_traded_for_a_pair_before_the_first_call(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    refresh = router.post("/api/v2/refresh").respond(json=tokens("access-2", "refresh-2"))
    methods = router.get("/api/v2/clients/42/2fa").respond(json=METHODS)

    pair_client(router, clock, access_token="").get_methods(42)

    assert refresh.call_count == 1
    assert [bearer(call.request) for call in methods.calls] == ["Bearer access-2"]


def test_a_refused_refresh_without_a_password_is_unauthorized_naming_the_pair(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(401, json={"message": "Refresh token expired"})
    methods = router.get("/api/v2/clients/42/2fa").respond(401)

    with pytest.raises(Unauthorized) as caught:
        pair_client(router, clock).get_methods(42)

    assert "refused to refresh" in caught.value.message
    assert "B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN" in caught.value.message
    assert methods.call_count == 1


def test_a_refused_refresh_signs_in_again_when_a_password_is_set(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(401)
    signin = router.post("/api/v2/signin").respond(json=tokens("access-3", "refresh-3"))
    sent, respond = first_401_then(httpx.Response(200, json=METHODS))
    router.get("/api/v2/clients/42/2fa").mock(side_effect=respond)

    pair_client(router, clock, email=EMAIL, password=PASSWORD).get_methods(42)

    assert signin.call_count == 1
    assert sent == ["Bearer given-access", "Bearer access-3"]


def test_refresh_and_sign_in_both_refused_is_unauthorized(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(401)
    router.post("/api/v2/signin").respond(401, json={"message": "Invalid email or password."})
    router.get("/api/v2/clients/42/2fa").respond(401)

    with pytest.raises(Unauthorized) as caught:
        pair_client(router, clock, email=EMAIL, password=PASSWORD).get_methods(42)

    assert caught.value.message == (
        "B2Core refused to refresh our token and refused the service account's sign-in "
        "(401); check its email and password."
    )


def test_refresh_failing_then_sign_in_asking_for_2fa_is_two_factor_required(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(401)
    router.post("/api/v2/signin").respond(json={"2faRequired": True})
    router.get("/api/v2/clients/42/2fa").respond(401)

    with pytest.raises(TwoFactorRequired):
        pair_client(router, clock, email=EMAIL, password=PASSWORD).get_methods(42)


def test_a_refresh_outage_is_unavailable_and_never_a_sign_in(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.post("/api/v2/refresh").respond(503)
    signin = router.post("/api/v2/signin")
    router.get("/api/v2/clients/42/2fa").respond(401)

    with pytest.raises(Unavailable):
        pair_client(router, clock, email=EMAIL, password=PASSWORD).get_methods(42)

    assert signin.call_count == 0


def test_a_newer_pair_from_latest_tokens_is_taken_before_refreshing(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    refresh = router.post("/api/v2/refresh")
    sent, respond = first_401_then(httpx.Response(200, json=METHODS))
    router.get("/api/v2/clients/42/2fa").mock(side_effect=respond)
    newer = TokenPair("other-process-access", "other-process-refresh")

    pair_client(router, clock, latest_tokens=lambda: newer).get_methods(42)

    assert refresh.call_count == 0
    assert sent == ["Bearer given-access", "Bearer other-process-access"]


def test_an_auth_problem_is_reported_then_cleared_by_a_success(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    signin = router.post("/api/v2/signin").mock(
        side_effect=[
            httpx.Response(200, json={"2faRequired": True}),
            httpx.Response(200, json=tokens("access-1", "refresh-1")),
        ]
    )
    router.get("/api/v2/clients/42/2fa").respond(json=METHODS)
    reports: list[Unauthorized | None] = []
    client = pair_client(
        router, clock, access_token="", refresh_token="", email=EMAIL, password=PASSWORD,
        on_auth_problem=reports.append,
    )  # fmt: skip

    with pytest.raises(TwoFactorRequired):
        client.get_methods(42)
    client.get_methods(42)
    client.get_methods(42)

    assert signin.call_count == 2
    assert [type(report).__name__ for report in reports] == ["TwoFactorRequired", "NoneType"]


def test_refreshed_tokens_never_reach_logs_or_errors(
    router: respx.MockRouter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    router.post("/api/v2/refresh").respond(json=tokens("fresh-access-abc", "fresh-refresh-xyz"))
    calls = iter([httpx.Response(401)])

    def respond(request: httpx.Request) -> httpx.Response:
        echoed = f"{bearer(request)} given-refresh fresh-refresh-xyz may not read"
        return next(calls, httpx.Response(403, json={"message": echoed}))

    router.get("/api/v2/clients/42/2fa").mock(side_effect=respond)
    caplog.set_level(logging.DEBUG)
    client = pair_client(router, clock)

    with pytest.raises(Forbidden) as caught:
        client.get_methods(42)

    texts = [caplog.text, str(caught.value), repr(caught.value), repr(client), repr(client.auth)]
    for secret in ("given-access", "given-refresh", "fresh-access-abc", "fresh-refresh-xyz"):
        assert all(secret not in text for text in texts), secret
    assert "may not read" in caught.value.message


# The errors a page shows as they are: sentences that say what was asked for.


def test_a_403_says_the_client_is_hidden_by_tag_restrictions(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients/42/2fa").respond(403, json={"message": "Forbidden"})

    with pytest.raises(Forbidden) as caught:
        pair_client(router, clock).get_methods(42)

    assert caught.value.message == (
        "B2Core does not let the dashboard's service account see client 42's 2FA methods "
        "(403): B2Core admins restricted by tags see only some clients. B2Core said: Forbidden."
    )
    assert caught.value.status == 403


def test_a_404_says_which_record_is_missing(router: respx.MockRouter, clock: FakeClock) -> None:
    router.get("/api/v2/clients/42/2fa/changes/7").respond(404, json={"message": "Not found"})

    with pytest.raises(NotFound) as caught:
        pair_client(router, clock).get_change(42, 7)

    assert caught.value.message == (
        "B2Core could not find 2FA change 7 of client 42 (404): no such client or record "
        "exists there. B2Core said: Not found."
    )


def test_a_404_on_the_client_list_points_at_the_base_url(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients").respond(404)

    with pytest.raises(NotFound) as caught:
        pair_client(router, clock).list_clients()

    assert caught.value.message == (
        "B2Core could not find the client list (404): check B2CORE_BASE_URL."
    )


def test_an_outage_says_b2core_failed_on_its_side(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients").respond(503, json={"message": "Down for maintenance"})

    with pytest.raises(Unavailable) as caught:
        pair_client(router, clock).list_clients()

    assert caught.value.message == "B2Core failed on its side (503): Down for maintenance."


def test_an_unreachable_host_says_it_could_not_connect(
    router: respx.MockRouter, clock: FakeClock
) -> None:
    router.get("/api/v2/clients").mock(side_effect=httpx.ConnectError("Connection refused"))

    with pytest.raises(Unavailable) as caught:
        pair_client(router, clock).list_clients()

    assert caught.value.message == "Could not connect to B2Core (Connection refused)."
