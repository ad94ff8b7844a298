from __future__ import annotations

from django.http import HttpRequest

from dashboard.credentials.problems import AuthProblem, last

# The pages that call B2Core: its authentication problem is shown there.
B2CORE_PAGES = ("/clients/",)


def b2core_auth(request: HttpRequest) -> dict[str, AuthProblem | None]:
    """``b2core_auth_problem`` on B2Core pages (one cache read there, none elsewhere)."""
    if not request.path_info.startswith(B2CORE_PAGES):
        return {}
    return {"b2core_auth_problem": last()}
