from __future__ import annotations

import functools
import zoneinfo
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.accounts.access import requires
from dashboard.accounts.middleware import phone_region_of
from dashboard.accounts.models import Preference
from dashboard.accounts.next_url import local_path
from dashboard.accounts.second_factor import recovery_codes_left, required, totp_device
from dashboard.accounts.zones import current_zone_name, offset_text, zone_options_html
from dashboard.verifications.countries import country_choices, country_name


@functools.cache
def time_zone_options() -> tuple[tuple[str, str], ...]:
    # available_timezones() walks and opens the whole tz database (~600 files): once a process.
    return tuple((name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()))


def time_zone_choices() -> list[tuple[str, str]]:
    return list(time_zone_options())


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(choices=time_zone_choices, required=False)


# Every role can read, and the preference only changes how readable pages show times.
@require_POST
@requires("read")
def set_time_zone(request: HttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if form.is_valid():
        Preference.objects.update_or_create(
            user=cast(User, request.user), defaults={"time_zone": form.cleaned_data["time_zone"]}
        )
        messages.success(
            request,
            f"Times are now shown in {form.cleaned_data['time_zone'] or 'the default time zone'}.",
        )
    else:
        messages.error(request, "That time zone is not known.")
    return redirect(_back(request))


class PhoneRegionForm(forms.Form):
    phone_region = forms.ChoiceField(choices=country_choices, required=False)


# Every role can read; the preference only changes how the phone search reads a number.
@require_POST
@requires("read")
def set_phone_region(request: HttpRequest) -> HttpResponse:
    form = PhoneRegionForm(request.POST)
    if form.is_valid():
        region = form.cleaned_data["phone_region"]
        Preference.objects.update_or_create(
            user=cast(User, request.user), defaults={"phone_region": region}
        )
        messages.success(
            request,
            "Phone numbers without a country code are now read as "
            + (f"{dict(country_choices())[region]} numbers." if region else "the default."),
        )
    else:
        messages.error(request, "That country is not known.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    return local_path(request.POST.get("next", ""), request) or "/"


@require_GET
@requires("read")
def preferences(request: HttpRequest) -> HttpResponse:
    """The time zone and phone region pickers; each form comes back to `next`."""
    back = local_path(request.GET.get("next", ""), request) or "/"
    zone = current_zone_name()
    now = timezone.now()
    user = cast(User, request.user)
    chosen = Preference.objects.filter(user=user).first()
    device = totp_device(user)
    return render(
        request,
        "accounts/preferences.html",
        {
            "next": back,
            "zone": zone,
            "zone_offset": offset_text(zone, now),
            "now": now,
            "zone_chosen": chosen.time_zone if chosen else "",
            "zone_options": zone_options_html(chosen.time_zone if chosen else ""),
            "default_time_zone": settings.TIME_ZONE,
            "countries": country_choices(),
            "phone_region": country_name(phone_region_of(request))
            if phone_region_of(request)
            else "",
            "region_chosen": chosen.phone_region if chosen else "",
            "default_phone_region": settings.PHONE_DEFAULT_REGION,
            "two_factor": {
                "on": device is not None,
                "since": device.created_at if device else None,
                "recovery_left": recovery_codes_left(user) if device else 0,
                "required": required(),
            },
        },
    )
