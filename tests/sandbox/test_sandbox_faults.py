"""Faults on request, observed from the client side over a real socket."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from dashboard.sandbox.faults import Fault, SandboxFaultMiddleware, parse_fault_list
from dashboard.sandbox.wsgi import URLCONF as SANDBOX_URLCONF

UNKNOWN_EVENTS = f"/v1/two-fa/session/{'0' * 32}/events"


@pytest.fixture
def client(sandbox):
    with sandbox.wavix() as plain:
        yield plain


@pytest.fixture
def sessions_path(service_ids):
    return f"/v1/two-fa/service/{service_ids['Acme Login']}/sessions"


def faulty(client: httpx.Client, kind: str, path: str, **kwargs) -> httpx.Response:
    return client.get(path, headers={"X-Sandbox-Fault": kind}, **kwargs)


def test_latency_delays_then_answers_normally(client):
    started = time.monotonic()

    response = faulty(client, "latency=0.4", "/v1/two-fa/service")

    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert response.json()["pagination"]["total"] == 3


def test_drip_keeps_a_short_read_timeout_alive_for_longer_than_it(client):
    started = time.monotonic()

    response = faulty(client, "drip=0.005", UNKNOWN_EVENTS, timeout=httpx.Timeout(5, read=0.25))

    assert time.monotonic() - started > 0.4  # ~100 bytes, one every 5 ms
    assert response.status_code == 404
    assert "cannot be found" in response.json()["message"]


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("503", 503), ("403", 403)])
def test_server_errors_answer_json_with_their_status(client, kind, status):
    response = faulty(client, kind, "/v1/two-fa/service")

    assert response.status_code == status
    assert response.json()["success"] is False


def test_502_html_is_a_gateway_page(client):
    response = faulty(client, "502-html", "/v1/two-fa/service")

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in response.text


@pytest.mark.parametrize(("kind", "retry_after"), [("429", "1"), ("429=3", "3")])
def test_429_says_when_to_retry(client, kind, retry_after):
    response = faulty(client, kind, "/v1/two-fa/service")

    assert response.status_code == 429
    assert response.headers["retry-after"] == retry_after


def test_malformed_json_is_a_200_that_does_not_parse(client):
    response = faulty(client, "malformed-json", "/v1/two-fa/service")

    assert response.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated|Invalid"):
        json.loads(response.content)


def test_html_200_is_a_page_where_json_was_expected(client):
    response = faulty(client, "html-200", "/v1/two-fa/service")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError, match="Expecting"):
        response.json()


def test_wrong_types_keeps_the_shape_but_not_the_types(client, sessions_path):
    response = client.get(
        sessions_path,
        params={"from": "2000-01-01", "to": "2100-01-01"},
        headers={"X-Sandbox-Fault": "wrong-types"},
    )

    row = response.json()[0]
    assert response.status_code == 200
    assert isinstance(row["charge"], dict)
    assert isinstance(row["created_at"], int)
    assert isinstance(row["phone_number"], int)


def test_drop_breaks_the_connection_mid_body(client):
    with pytest.raises(httpx.RemoteProtocolError):
        faulty(client, "drop", "/v1/two-fa/service")


def test_cancel_204_answers_no_content_and_still_cancels(client, start_session, sandbox):
    session = start_session()

    response = client.patch(
        f"/v1/two-fa/verification/{session['session_id']}/cancel",
        headers={"X-Sandbox-Fault": "cancel-204"},
    )

    assert (response.status_code, response.content) == (204, b"")
    code = sandbox.outbox(session["session_id"])["code"]
    check = client.post(
        f"/v1/two-fa/verification/{session['session_id']}/check", json={"code": code}
    )
    assert "canceled" in check.json()["message"]


def test_an_unknown_fault_kind_is_refused_by_name(client):
    response = faulty(client, "meteor-strike", "/v1/two-fa/service")

    assert response.status_code == 400
    assert "meteor-strike" in response.json()["message"]


def test_a_stored_rule_applies_the_given_number_of_times(client, sandbox, sessions_path):
    sandbox.set_fault("503", path_contains="/sessions", times=2)
    params = {"from": "2000-01-01", "to": "2100-01-01"}

    statuses = [client.get(sessions_path, params=params).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]


def test_a_stored_rule_applies_only_to_matching_paths(client, sandbox):
    sandbox.set_fault("500", path_contains="/events")

    assert client.get("/v1/two-fa/service").status_code == 200
    assert client.get(UNKNOWN_EVENTS).status_code == 500


def test_a_rule_without_a_count_lasts_until_cleared(client, sandbox):
    sandbox.set_fault("429=2")
    assert [client.get("/v1/two-fa/service").status_code for _ in range(3)] == [429] * 3

    sandbox.clear_faults()

    assert client.get("/v1/two-fa/service").status_code == 200


def test_faults_never_touch_the_control_api(sandbox):
    sandbox.set_fault("500")

    sandbox.set_clock(5)  # raises if the control API answered 500
    sandbox.reset()


def test_faults_apply_to_b2core_paths_too(sandbox):
    response = httpx.get(sandbox.b2core_url + "/api/v2/clients", headers={"X-Sandbox-Fault": "503"})

    assert response.status_code == 503


def test_faults_from_the_environment_apply_to_matching_paths(monkeypatch):
    monkeypatch.setenv("SANDBOX_FAULTS", "latency=0@/service,503@/sessions")
    reached: list[HttpRequest] = []

    def get_response(request: HttpRequest) -> HttpResponse:
        reached.append(request)
        return HttpResponse()

    middleware = SandboxFaultMiddleware(get_response)
    request = RequestFactory().get("/sandbox/wavix/v1/two-fa/x/sessions")
    request.urlconf = SANDBOX_URLCONF  # as the transport and the server route it

    response = middleware(request)

    assert response.status_code == 503
    assert reached == []


def test_the_environment_spec_reads_kinds_values_and_paths():
    assert parse_fault_list("latency=2@/sessions, drop") == (
        (Fault("latency", 2.0), "/sessions"),
        (Fault("drop", 0.0), ""),
    )


def test_outside_the_sandbox_nothing_is_faulted(monkeypatch):
    monkeypatch.setenv("SANDBOX_FAULTS", "500")
    middleware = SandboxFaultMiddleware(lambda request: HttpResponse("page"))

    response = middleware(RequestFactory().get("/sessions/", HTTP_X_SANDBOX_FAULT="500"))

    assert response.status_code == 200
