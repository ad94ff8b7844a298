from __future__ import annotations

import functools
import zoneinfo
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboard.accounts.access import requires
from dashboard.accounts.models import Preference


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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "/"
    return redirect(target)
