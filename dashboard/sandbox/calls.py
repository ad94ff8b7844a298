"""Log every write call the sandbox receives, before any fault acts on it.

"Exactly one provider call" is a claim about what reached the provider; this log is how
tests check it (GET /sandbox/_control/calls). Reads are not logged: they are many and free.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase

from dashboard.sandbox import credentials
from dashboard.sandbox.faults import GetResponse
from dashboard.sandbox.models import ReceivedCall
from dashboard.sandbox.routers import SANDBOX_DB
from dashboard.sandbox.wsgi import is_sandbox_request


class CallLogMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if (
            request.method != "GET"
            and is_sandbox_request(request)
            and path.startswith("/sandbox/")
            and not path.startswith(credentials.CONTROL_PREFIX + "/")
        ):
            ReceivedCall.objects.using(SANDBOX_DB).create(
                method=str(request.method)[:8], path=path[:300]
            )
        return self.get_response(request)
