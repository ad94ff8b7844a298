"""`manage.py check` on B2Core credentials: which way in will work, said before it fails.

No network call here, on purpose: checks run before every management command (migrate,
worker, runserver's reloads), B2Core throttles sign-ins (5 a minute, then a 10-minute block)
and each sign-in issues a new token pair. Probing from here could lock the service account
out and would make `check` depend on the network. Whether a sign-in really answered
2faRequired is shown on the B2Core pages, where it was seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

WAY_IN_HINT = (
    "B2Core asks every Back Office user for a second factor, which the dashboard cannot "
    "give, so an email/password sign-in may answer 2faRequired. Sign in once as the service "
    "account yourself and set B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN (or their _FILE "
    "variants) from the pair B2Core issues; the dashboard refreshes it and keeps the renewed "
    "pair, encrypted, in its database."
)


@register(Tags.compatibility)
def check_b2core_credentials(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.B2CORE_BASE_URL:
        return []  # the sandbox: its service account has no second factor
    has_password = bool(settings.B2CORE_EMAIL and settings.B2CORE_PASSWORD)
    access, refresh = settings.B2CORE_ACCESS_TOKEN, settings.B2CORE_REFRESH_TOKEN
    messages: list[CheckMessage] = []
    if has_password and not (access or refresh):
        messages.append(
            Warning(
                "B2Core is configured with an email and password only: B2Core requires 2FA "
                "for Back Office users, and the dashboard cannot answer a second factor.",
                hint=WAY_IN_HINT,
                id="provider_credentials.W001",
            )
        )
    if access and not refresh and not has_password:
        messages.append(
            Warning(
                "B2CORE_ACCESS_TOKEN is set without B2CORE_REFRESH_TOKEN: once the access "
                "token expires the dashboard has no way to renew it.",
                hint="Set B2CORE_REFRESH_TOKEN too (the refresh token B2Core issued with it).",
                id="provider_credentials.W002",
            )
        )
    return messages
