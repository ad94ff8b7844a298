"""System checks for settings: a bad value is reported loudly here, not at import."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import phonenumbers
from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard.connections import real_provider_settings
from dashboard.env import PROBLEMS
from dashboard.settings import DEV_SECRET_KEY


@register(Tags.compatibility)
def check_environment(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = [
        Error(f"{name}: {problem}", id="dashboard.E001") for name, problem in PROBLEMS
    ]
    if settings.WAVIX_BASE_URL and not settings.WAVIX_API_KEY:
        messages.append(
            Error(
                "WAVIX_BASE_URL is set but WAVIX_API_KEY is empty.",
                hint="Set WAVIX_API_KEY (or WAVIX_API_KEY_FILE), or unset WAVIX_BASE_URL "
                "to use the sandbox.",
                id="dashboard.E002",
            )
        )
    if settings.B2CORE_BASE_URL and not (
        settings.B2CORE_ACCESS_TOKEN
        or settings.B2CORE_REFRESH_TOKEN
        or (settings.B2CORE_EMAIL and settings.B2CORE_PASSWORD)
    ):
        messages.append(
            Error(
                "B2CORE_BASE_URL is set but no credentials are.",
                hint="Set B2CORE_ACCESS_TOKEN and B2CORE_REFRESH_TOKEN, or B2CORE_EMAIL and "
                "B2CORE_PASSWORD.",
                id="dashboard.E003",
            )
        )
    for name in ("WAVIX_BASE_URL", "B2CORE_BASE_URL"):
        value = getattr(settings, name)
        if value and not value.startswith(("https://", "http://")):
            messages.append(
                Error(f"{name} must start with https:// (got {value!r}).", id="dashboard.E004")
            )
    try:
        body = json.loads(settings.B2CORE_DISABLE_BODY)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        messages.append(Error("B2CORE_DISABLE_BODY must be a JSON object.", id="dashboard.E005"))
    region = settings.PHONE_DEFAULT_REGION
    if region and region not in phonenumbers.SUPPORTED_REGIONS:
        messages.append(
            Error(
                f"PHONE_DEFAULT_REGION must be a two-letter country code such as GB or US "
                f"(got {region!r}).",
                id="dashboard.E020",
            )
        )
    return messages


@register(Tags.security, deploy=True)
def check_secret_key(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if settings.SECRET_KEY == DEV_SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY is the development default.",
                hint="Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value.",
                id="dashboard.W001",
            )
        ]
    return []


SANDBOX_PACKAGE = "dashboard.sandbox"


def _is_sandbox(dotted: str) -> bool:
    return dotted == SANDBOX_PACKAGE or dotted.startswith(SANDBOX_PACKAGE + ".")


def sandbox_routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    """Routes of a URLconf that lead into the sandbox: its views, or its URLconfs included."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLPattern):
            if _is_sandbox(entry.lookup_str):
                yield route
        elif _is_sandbox(getattr(entry.urlconf_module, "__name__", "")):
            yield route
        else:
            yield from sandbox_routes(entry, route)


@register(Tags.security, Tags.urls, deploy=True)
def check_sandbox_not_served(
    *, app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """The sandbox's keys are public: the dashboard's own URLs must never lead to it."""
    try:
        routes = list(sandbox_routes(get_resolver(settings.ROOT_URLCONF)))
    except (ImportError, ImproperlyConfigured):
        return []  # a broken URLconf is reported by Django's own check (urls.E...)
    if _is_sandbox(settings.WSGI_APPLICATION or ""):
        routes.append(f"WSGI_APPLICATION = {settings.WSGI_APPLICATION}")
    if not routes:
        return []
    where = ", ".join(routes)
    real = real_provider_settings()
    if real:
        return [
            Error(
                f"The sandbox is reachable on the dashboard's URLs ({where}) while a real "
                f"provider is configured ({', '.join(real)}): anyone who reaches the server can "
                "inject faults into the dashboard's calls with the sandbox's public keys.",
                hint="Remove the sandbox from ROOT_URLCONF; the in-process transport and "
                "`manage.py sandbox_serve` reach it through dashboard.sandbox.root_urls.",
                id="dashboard.E006",
            )
        ]
    return [
        Warning(
            f"The sandbox is reachable on the dashboard's URLs ({where}).",
            hint="Remove it from ROOT_URLCONF: its keys are public.",
            id="dashboard.W002",
        )
    ]
