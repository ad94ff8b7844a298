"""A signed-in client's own 2FA ("my" API): status, enable/disable wizards, change log.

Wizard workflows handled by POST my/2fa/wizard:
- enable google: ``2fa_google`` ← ``{uuid, action: "code", code, key}`` (TOTP over the key)
- enable sms: ``2fa_sms_phone_create`` ← ``{uuid, phone}`` (code sent) → ``phone`` ←
  ``{uuid, action: "code", code}`` (posting a phone again at ``phone`` resends)
- disable google: ``2fa_google`` ← ``{uuid, action: "code", code}`` (TOTP over the stored key)
- disable sms: ``2fa_sms`` (code sent when the wizard starts) ← ``{uuid, action: "code", code}``
Each final step logs a change with actor "client", which the Back Office then shows.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from dashboard.sandbox.b2core import auth, twofa, views_signin, wizards
from dashboard.sandbox.b2core.listing import changes_page
from dashboard.sandbox.b2core.models import Change, Method, Provider, Wizard, WizardKind
from dashboard.sandbox.b2core.wire import ApiError, endpoint, json_response, read_json
from dashboard.sandbox.routers import SANDBOX_DB

_E164 = re.compile(r"\+[1-9][0-9]{7,14}")


def _status(request: HttpRequest) -> HttpResponse:
    return json_response(twofa.list_body(auth.signed_in_client(request)))


def _method(request: HttpRequest, kind: str) -> HttpResponse:
    client = auth.signed_in_client(request)
    return json_response(twofa.method_body(twofa.method_of(client, twofa.provider_from_path(kind))))


def _enable_wizard(request: HttpRequest, kind: str) -> HttpResponse:
    client = auth.signed_in_client(request)
    provider = twofa.provider_from_path(kind)
    if twofa.method_of(client, provider).is_enabled:
        raise ApiError(400, f"2FA method {provider.value} is already enabled.")
    if provider == Provider.GOOGLE:
        key = twofa.new_totp_key()
        wizard = wizards.start(
            WizardKind.ENABLE, "2fa_google", client=client, provider=provider, key=key
        )
        return wizards.envelope(wizard, data={"key": key})
    wizard = wizards.start(
        WizardKind.ENABLE, "2fa_sms_phone_create", client=client, provider=provider
    )
    return wizards.envelope(wizard)


def _disable_wizard(request: HttpRequest, kind: str) -> HttpResponse:
    client = auth.signed_in_client(request)
    provider = twofa.provider_from_path(kind)
    method = twofa.method_of(client, provider)
    if not method.is_enabled:
        raise ApiError(400, f"2FA method {provider.value} is not enabled.")
    if provider == Provider.GOOGLE:
        wizard = wizards.start(WizardKind.DISABLE, "2fa_google", client=client, provider=provider)
        return wizards.envelope(wizard)
    wizard = wizards.start(
        WizardKind.DISABLE, "2fa_sms", client=client, provider=provider, phone=method.phone
    )
    return wizards.envelope(
        wizard, data=wizards.send_code(wizard, channel="sms", destination=method.phone)
    )


def _wizard_step(request: HttpRequest) -> HttpResponse:
    client = auth.signed_in_client(request)
    body = read_json(request)
    wizard = wizards.load(body, WizardKind.ENABLE, WizardKind.DISABLE, client=client)
    step = (wizard.kind, wizard.workflow)
    if step in ((WizardKind.ENABLE, "2fa_sms_phone_create"), (WizardKind.ENABLE, "phone")) and (
        "phone" in body and body.get("action") != "code"
    ):
        return _send_to_phone(wizard, body)
    if body.get("action") != "code":
        raise ApiError(400, 'The action field must be "code" at this step.', errors={"action": []})
    method = twofa.method_of(client, Provider(wizard.provider))
    if step == (WizardKind.ENABLE, "2fa_google"):
        if str(body.get("key", "")) != wizard.key:
            raise ApiError(400, "The key does not match this wizard.", errors={"key": []})
        wizards.check_code(wizard, body, totp_key=wizard.key)
        return _finish(wizard, method, enabled=True, secret=wizard.key)
    if step == (WizardKind.ENABLE, "phone"):
        wizards.check_code(wizard, body)
        return _finish(wizard, method, enabled=True, phone=wizard.phone)
    if step == (WizardKind.DISABLE, "2fa_google"):
        wizards.check_code(wizard, body, totp_key=method.secret)
        return _finish(wizard, method, enabled=False)
    if step == (WizardKind.DISABLE, "2fa_sms"):
        wizards.check_code(wizard, body)
        return _finish(wizard, method, enabled=False)
    raise ApiError(400, f"This step is not expected now: the wizard is at {wizard.workflow!r}.")


def _send_to_phone(wizard: Wizard, body: dict[str, Any]) -> HttpResponse:
    phone = re.sub(r"[\s().-]", "", str(body.get("phone", "")))
    if phone and not phone.startswith("+"):
        phone = "+" + phone
    if not _E164.fullmatch(phone):
        raise ApiError(
            400,
            "The phone must be an international number such as +79994445561.",
            errors={"phone": [str(body.get("phone"))]},
        )
    wizards.advance(wizard, "phone", phone=phone)
    return wizards.envelope(
        wizard, data=wizards.send_code(wizard, channel="sms", destination=phone)
    )


def _finish(
    wizard: Wizard, method: Method, *, enabled: bool, secret: str = "", phone: str = ""
) -> HttpResponse:
    with transaction.atomic(using=SANDBOX_DB):
        twofa.set_enabled(method, enabled, actor=twofa.CLIENT_ACTOR, secret=secret, phone=phone)
        wizards.finish(wizard)
    return wizards.envelope(wizard, data=[], done=True, workflow=wizards.TERMINATE)


def _changes(request: HttpRequest) -> HttpResponse:
    client = auth.signed_in_client(request)
    return json_response(
        changes_page(Change.objects.using(SANDBOX_DB).filter(client=client), request)
    )


def _change(request: HttpRequest, change_id: int) -> HttpResponse:
    client = auth.signed_in_client(request)
    change = Change.objects.using(SANDBOX_DB).filter(client=client, id=change_id).first()
    if change is None:
        raise ApiError(404, f"Change {change_id} not found")
    return json_response(twofa.change_body(change))


status = endpoint(get=_status)
# GET is the method's status; POST is the sign-in wizard's code step (same URL in B2Core).
method = endpoint(get=_method, post=views_signin.code_step)
enable_wizard = endpoint(get=_enable_wizard)
disable_wizard = endpoint(get=_disable_wizard)
wizard_step = endpoint(post=_wizard_step)
changes = endpoint(get=_changes)
change = endpoint(get=_change)
