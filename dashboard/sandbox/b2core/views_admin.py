"""The Back Office API the dashboard calls (specs/b2core-2fa.md, "Back Office")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from dashboard.sandbox.b2core import auth, twofa
from dashboard.sandbox.b2core.listing import changes_page, clients_page
from dashboard.sandbox.b2core.models import Audience, Change, Client, SentCode
from dashboard.sandbox.b2core.wire import ApiError, endpoint, json_response, read_json, required_str
from dashboard.sandbox.routers import SANDBOX_DB


def _client(client_id: int) -> Client:
    client = Client.objects.using(SANDBOX_DB).filter(id=client_id).first()
    if client is None:
        raise ApiError(404, f"Client {client_id} not found")
    return client


def _signin(request: HttpRequest) -> HttpResponse:
    body = read_json(request)
    email = required_str(body, "email")
    password = required_str(body, "password")
    auth.ensure_not_blocked(Audience.ADMIN, email)
    if not auth.check_admin_password(email, password):
        auth.record_failure(Audience.ADMIN, email)
        raise ApiError(401, "Invalid email or password.")
    auth.clear_failures(Audience.ADMIN, email)
    # Our service account has no 2FA of its own, hence always false.
    pair = auth.issue_pair(audience=Audience.ADMIN, admin_email=email.lower())
    return json_response({"2faRequired": False, **pair})


def _refresh(request: HttpRequest) -> HttpResponse:
    return json_response(auth.refresh_pair(read_json(request), audience=Audience.ADMIN))


def _clients(request: HttpRequest) -> HttpResponse:
    auth.admin_email(request)
    return json_response(clients_page(Client.objects.using(SANDBOX_DB).all(), request))


def _methods(request: HttpRequest, client_id: int) -> HttpResponse:
    auth.admin_email(request)
    return json_response(twofa.list_body(_client(client_id)))


def _method(request: HttpRequest, client_id: int, kind: str) -> HttpResponse:
    auth.admin_email(request)
    client = _client(client_id)
    return json_response(twofa.method_body(twofa.method_of(client, twofa.provider_from_path(kind))))


def _update_method(request: HttpRequest, client_id: int, kind: str) -> HttpResponse:
    """PUT/PATCH: admins may only disable; enabling is the client's own act (with a code)."""
    email = auth.admin_email(request)
    client = _client(client_id)
    provider = twofa.provider_from_path(kind)
    body = read_json(request)
    if "isEnabled" not in body:
        raise ApiError(
            400,
            "The isEnabled field is required.",
            errors={"isEnabled": ["The isEnabled field is required."]},
        )
    enabled = body["isEnabled"]
    if enabled in (1, "1", "true"):
        enabled = True
    elif enabled in (0, "0", "false"):
        enabled = False
    if not isinstance(enabled, bool):
        raise ApiError(400, "The isEnabled field must be a boolean.")
    if enabled:
        raise ApiError(
            422,
            "Administrators cannot enable 2FA; the client must re-enable it.",
            errors={"isEnabled": ["Only false is accepted."]},
        )
    method = twofa.method_of(client, provider)
    twofa.set_enabled(method, False, actor=f"admin:{email}")
    return json_response(twofa.method_body(method))


def _changes(request: HttpRequest, client_id: int) -> HttpResponse:
    auth.admin_email(request)
    client = _client(client_id)
    return json_response(
        changes_page(Change.objects.using(SANDBOX_DB).filter(client=client), request)
    )


def _change(request: HttpRequest, client_id: int, change_id: int) -> HttpResponse:
    auth.admin_email(request)
    client = _client(client_id)
    change = Change.objects.using(SANDBOX_DB).filter(client=client, id=change_id).first()
    if change is None:
        raise ApiError(404, f"Change {change_id} not found for client {client_id}")
    return json_response(twofa.change_body(change))


def _outbox(request: HttpRequest) -> HttpResponse:
    """Sandbox-only: the codes "sent" by SMS or e-mail, newest first, for tests to read."""
    auth.admin_email(request)
    sent = SentCode.objects.using(SANDBOX_DB).order_by("-id")
    phone = request.GET.get("phone", "").strip()
    client_id = request.GET.get("client_id", "").strip()
    if not phone and not client_id:
        raise ApiError(400, "Give phone=<E.164> or client_id=<id>")
    if phone:
        # "+" arrives as a space when the caller did not percent-encode it.
        sent = sent.filter(destination="+" + phone.lstrip("+ "))
    if client_id:
        if not client_id.isdigit():
            raise ApiError(400, "client_id must be an integer")
        sent = sent.filter(client_id=int(client_id))
    rows = list(sent[:100])
    return json_response({"total": len(rows), "data": [twofa.outbox_body(s) for s in rows]})


def _not_found(request: HttpRequest) -> HttpResponse:
    raise ApiError(404, f"No B2Core endpoint at {request.path}")


signin = endpoint(post=_signin)
refresh = endpoint(post=_refresh)
clients = endpoint(get=_clients)
methods = endpoint(get=_methods)
method = endpoint(get=_method, put=_update_method, patch=_update_method)
changes = endpoint(get=_changes)
change = endpoint(get=_change)
outbox = endpoint(get=_outbox)
not_found = endpoint(
    get=_not_found, post=_not_found, put=_not_found, patch=_not_found, delete=_not_found
)
