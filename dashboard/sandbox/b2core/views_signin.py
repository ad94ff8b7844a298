"""Client sign-in ("my" API): the Sign In Wizard, its 2FA steps, refresh, challenges.

Sign-in wizard steps (``workflow`` says what is expected next):
``signin`` → POST my/signin → done (no 2FA), or ``2fa_google_auth`` / ``2fa_sms_auth`` (one
method on; SMS sends a code), or ``2fa`` (both on: POST my/signin/2fa picks one) → POST
my/2fa/google or my/2fa/sms with the code → 202, workflow ``login``, tokens in ``data``.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse

from dashboard.sandbox.b2core import auth, twofa, wizards
from dashboard.sandbox.b2core.models import Audience, Client, Provider, Wizard, WizardKind
from dashboard.sandbox.b2core.wire import (
    ApiError,
    endpoint,
    iso,
    json_response,
    now,
    read_json,
    required_str,
)
from dashboard.sandbox.routers import SANDBOX_DB

SUCCESS_TOKEN_TTL = timedelta(minutes=10)
CHOOSE = "2fa"  # ours: B2Core does not document the name of the "which method?" step
AUTH_WORKFLOW = {Provider.GOOGLE: "2fa_google_auth", Provider.SMS: "2fa_sms_auth"}


def _expect(wizard: Wizard, *workflows: str) -> None:
    if wizard.workflow not in workflows:
        raise ApiError(400, f"This step is not expected now: the wizard is at {wizard.workflow!r}.")


def _signed_in(wizard: Wizard, client: Client) -> HttpResponse:
    wizards.finish(wizard)
    pair = auth.issue_pair(audience=Audience.CLIENT, client=client)
    return wizards.envelope(wizard, data=pair, done=True, workflow="login")


def _ask_for(wizard: Wizard, client: Client, provider: Provider) -> HttpResponse:
    """Move to the step that wants a code from ``provider`` (sending one for SMS)."""
    method = twofa.method_of(client, provider)
    wizards.advance(wizard, AUTH_WORKFLOW[provider], provider=provider, phone=method.phone)
    if provider == Provider.SMS:
        wizards.send_code(wizard, channel="sms", destination=method.phone)
    # The doc: "data: Always null" at this step.
    return wizards.envelope(wizard)


def _wizard(request: HttpRequest) -> HttpResponse:
    return wizards.envelope(wizards.start(WizardKind.SIGNIN, "signin"))


def _signin(request: HttpRequest) -> HttpResponse:
    body = read_json(request)
    wizard = wizards.load(body, WizardKind.SIGNIN)
    _expect(wizard, "signin")
    email = required_str(body, "email")
    password = required_str(body, "password")
    auth.ensure_not_blocked(Audience.CLIENT, email)
    client = Client.objects.using(SANDBOX_DB).filter(email__iexact=email).first()
    if client is None or not auth.check_client_password(password):
        auth.record_failure(Audience.CLIENT, email)
        raise ApiError(401, "Invalid email or password.")
    auth.clear_failures(Audience.CLIENT, email)
    wizard.client = client
    enabled = [Provider(m.provider) for m in twofa.methods_of(client) if m.is_enabled]
    if not enabled:
        return _signed_in(wizard, client)
    if len(enabled) == 1:
        return _ask_for(wizard, client, enabled[0])
    wizards.advance(wizard, CHOOSE)
    return wizards.envelope(wizard, data={"providers": sorted(p.value for p in enabled)})


def _choose(request: HttpRequest) -> HttpResponse:
    body = read_json(request)
    wizard = wizards.load(body, WizardKind.SIGNIN)
    # Switching method after picking one is allowed, as on the sign-in form.
    _expect(wizard, CHOOSE, *AUTH_WORKFLOW.values())
    client = wizard.client
    if client is None:
        raise ApiError(400, "Sign in with email and password first.")
    provider = twofa.provider_from_path(required_str(body, "type"))
    if not twofa.method_of(client, provider).is_enabled:
        raise ApiError(
            400, f"2FA method {provider.value} is not enabled for this client.", errors={"type": []}
        )
    return _ask_for(wizard, client, provider)


def code_step(request: HttpRequest, kind: str) -> HttpResponse:
    """POST my/2fa/{google|sms}: the code that completes sign-in (GET there is the status)."""
    provider = twofa.provider_from_path(kind)
    body = read_json(request)
    wizard = wizards.load(body, WizardKind.SIGNIN)
    _expect(wizard, AUTH_WORKFLOW[provider])
    client = wizard.client
    if client is None:  # cannot happen: the workflow is only reached after the password
        raise ApiError(400, "Sign in with email and password first.")
    key = twofa.method_of(client, provider).secret if provider == Provider.GOOGLE else ""
    wizards.check_code(wizard, body, totp_key=key)
    return _signed_in(wizard, client)


def _refresh(request: HttpRequest) -> HttpResponse:
    return json_response(auth.refresh_pair(read_json(request), audience=Audience.CLIENT))


def _start_challenge(client: Client | None) -> HttpResponse:
    """A challenge's uuid is its confirmation token; the code goes to the client's e-mail."""
    wizard = wizards.start(WizardKind.CHALLENGE, "challenge", client=client)
    if client is not None:
        wizards.send_code(wizard, channel="email", destination=client.email)
    return json_response({"token": str(wizard.uuid), "expiresAt": iso(wizard.expires_at)})


def _challenge(request: HttpRequest) -> HttpResponse:
    return _start_challenge(auth.signed_in_client(request))


def _unauthorized_challenge(request: HttpRequest) -> HttpResponse:
    email = request.GET.get("email", "").strip()
    if not email:
        raise ApiError(400, "The email parameter is required.", errors={"email": []})
    # An unknown e-mail still gets a token (that no code will ever match): the answer must
    # not tell whether an account exists.
    return _start_challenge(Client.objects.using(SANDBOX_DB).filter(email__iexact=email).first())


def _complete_challenge(request: HttpRequest) -> HttpResponse:
    body = read_json(request)
    client = auth.signed_in_client(request) if "Authorization" in request.headers else None
    wizard = wizards.load(body, WizardKind.CHALLENGE, client=client, field="token")
    wizards.check_code(wizard, body)
    wizards.finish(wizard)
    success: dict[str, Any] = {
        "token": str(uuidlib.uuid4()),
        "expiresAt": iso(now() + SUCCESS_TOKEN_TTL),
    }
    return json_response(success)


signin_wizard = endpoint(get=_wizard)
signin = endpoint(post=_signin)
signin_2fa = endpoint(post=_choose)
refresh = endpoint(post=_refresh)
challenge = endpoint(get=_challenge, post=_complete_challenge)
unauthorized_challenge = endpoint(get=_unauthorized_challenge)
