"""The B2Core sandbox is reachable at its documented prefix through the sandbox's own URLconf."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from dashboard.sandbox import credentials

pytestmark = [
    pytest.mark.django_db(databases=["default", "sandbox"]),
    pytest.mark.urls("dashboard.sandbox.root_urls"),  # what the transport and the server use
]


def test_signin_answers_below_the_b2core_prefix() -> None:
    response = HttpClient().post(
        f"{credentials.B2CORE_PREFIX}/api/v2/signin",
        {"email": credentials.B2CORE_ADMIN_EMAIL, "password": credentials.B2CORE_ADMIN_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["accessToken"]["token"]
