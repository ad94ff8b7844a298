"""Show times in the operator's own time zone (their preference, else TIME_ZONE), and note
their phone region for the phone search (their preference, else PHONE_DEFAULT_REGION)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from dashboard.accounts.models import Preference


class OperatorTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = region = ""
        if request.user.is_authenticated:
            name, region = Preference.objects.filter(user_id=request.user.pk).values_list(
                "time_zone", "phone_region"
            ).first() or ("", "")
        # One query for both preferences; read through phone_region_of().
        request.operator_phone_region = region or settings.PHONE_DEFAULT_REGION  # type: ignore[attr-defined]
        try:
            timezone.activate(zoneinfo.ZoneInfo(name)) if name else timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)


def phone_region_of(request: HttpRequest) -> str:
    """The country whose national numbers this operator's phone searches read ("" if none)."""
    return str(getattr(request, "operator_phone_region", settings.PHONE_DEFAULT_REGION))
