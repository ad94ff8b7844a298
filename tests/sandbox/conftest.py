"""Fixtures for the sandbox's own tests: Wavix clients over the socket, checked against the spec."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict

from dashboard.sandbox import credentials

SPEC_NAME = "wavix-2fa-subset-current-1498ee51.yaml"
SPEC_HOST = "https://api.wavix.com"
# The spec marks number_lookup as required; Wavix sends it only when the service validates
# numbers (specs/wavix-2fa-notes.md), and so does the sandbox.
KNOWN_DEVIATION = "'number_lookup' is a required property"


@dataclass
class _SpecRequest:
    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: RequestParameters = field(default_factory=RequestParameters)


@dataclass
class _SpecResponse:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


@pytest.fixture(scope="session")
def wavix_spec() -> OpenAPI:
    # A copy kept in the repository, so that a fresh clone tests on its own.
    return OpenAPI.from_file_path(str(Path(__file__).resolve().parents[2] / "specs" / SPEC_NAME))


def spec_pair(response: httpx.Response) -> tuple[_SpecRequest, _SpecResponse]:
    """The exchange as openapi-core sees it, moved from the sandbox prefix to the spec's host."""
    request = response.request
    path = request.url.path.removeprefix(credentials.WAVIX_PREFIX)
    spec_request = _SpecRequest(
        host_url=SPEC_HOST,
        path=path,
        method=request.method.lower(),
        body=request.content or None,
        content_type=request.headers.get("content-type", ""),
        parameters=RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
        ),
    )
    spec_response = _SpecResponse(
        status_code=response.status_code,
        content_type=response.headers.get("content-type", "").lower(),
        headers=Headers(list(response.headers.items())),
        data=response.read() or None,
    )
    return spec_request, spec_response


def schema_errors(spec: OpenAPI, response: httpx.Response) -> list[str]:
    """What is wrong with a response according to the spec ([] when it conforms)."""
    try:
        spec.validate_response(*spec_pair(response))
    except OpenAPIError as exc:
        cause: Any = exc.__cause__
        details = [error.message for error in getattr(cause, "schema_errors", [])]
        return details or [f"{type(exc).__name__}: {exc}"]
    return []


@pytest.fixture
def spec_errors(wavix_spec: OpenAPI) -> Callable[[httpx.Response], list[str]]:
    """What the spec finds wrong with a response ([] when it conforms)."""
    return lambda response: schema_errors(wavix_spec, response)


@pytest.fixture
def conforming(wavix_spec: OpenAPI) -> Callable[[httpx.Response], None]:
    """An httpx response hook failing the test on any response the spec does not allow."""

    def check(response: httpx.Response) -> None:
        errors = [e for e in schema_errors(wavix_spec, response) if e != KNOWN_DEVIATION]
        assert not errors, f"{response.request.method} {response.request.url}: {errors}"

    return check


@pytest.fixture
def wavix(sandbox: Any, conforming: Callable[[httpx.Response], None]) -> Iterator[httpx.Client]:
    """A Wavix client (full key) over the socket; every response must conform to the spec."""
    with httpx.Client(
        base_url=sandbox.wavix_url,
        headers={"Authorization": f"Bearer {credentials.WAVIX_API_KEY}"},
        event_hooks={"response": [conforming]},
        timeout=10,
    ) as client:
        yield client


@pytest.fixture(scope="session")
def service_ids(sandbox_server: Any) -> dict[str, str]:
    """Seeded service names → service ids."""
    with sandbox_server.wavix() as client:
        items = client.get("/v1/two-fa/service").raise_for_status().json()["items"]
    return {item["name"]: item["uuid"].replace("-", "") for item in items}


@pytest.fixture
def start_session(
    wavix: httpx.Client, service_ids: dict[str, str]
) -> Callable[..., dict[str, Any]]:
    """Create a verification; returns the create response body."""

    def start(
        service: str = "Acme Login", to: str = "447400123456", channel: str = "sms"
    ) -> dict[str, Any]:
        body = {"service_id": service_ids[service], "to": to, "channel": channel}
        response = wavix.post("/v1/two-fa/verification", json=body)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    return start
