"""Who gets what from every URL of the dashboard: the table test_url_roles.py checks.

Shipping a view? Add its route here: one line for GET, one for POST, one outcome per
principal in WHO's order. A route missing from this table fails the test.

Outcomes:
    200      the page (or file)
    302      a redirect somewhere other than a sign-in page (the answer to a POST)
    login    a redirect to the dashboard's sign-in page, with next= the address asked for
    403      the access-denied page (templates/accounts/denied.html)
    405      method not allowed
    400      a form refused as incomplete (a POST without its fields)
    404      not found
    admin    a redirect to the Django admin's own sign-in page
"""

from __future__ import annotations

from dataclasses import dataclass

# The principals, in the order of each row's outcomes. "admin" has the admin role but is not
# Django staff; "superuser" is a staff superuser (the only one the Django admin lets in).
WHO = ("anonymous", "no role", "viewer", "operator", "auditor", "admin", "superuser")


@dataclass(frozen=True)
class Row:
    get: str
    post: str
    # The address to request, when the route has parameters without a sample in SAMPLES.
    path: str | None = None
    # The row stands for every route below this one (an include such as the Django admin).
    include: bool = False


@dataclass(frozen=True)
class NotProbed:
    """A route listed on purpose but not requested, and why."""

    reason: str


# Values for route parameters, by name: "<str:service_id>" becomes SAMPLES["service_id"].
SAMPLES: dict[str, str] = {
    "service_id": "a" * 32,
    "session_id": "5e55" * 8,
    "bulk_id": "999999",
    # No such B2Core client (nor change): the pages answer 404 once the role check passed.
    "client_id": "no-such-client",
    "change_id": "1",
    "method": "sms",
    "list_name": "sessions",
    # No such saved view: a 404 once the role check has passed.
    "view_id": "999999",
}

#                              anonymous no-role viewer operator auditor admin superuser
EXPECTED: dict[str, Row | NotProbed] = {
    # verifications
    "": Row(
        get="login      403     200     200      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "services/register/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     403     302      403     302   302",
    ),
    # The sample service is not known: a 404 once the role check has passed.
    "services/<str:service_id>/unwatch/": Row(
        get="login      403     403     404      403     404   404",
        post="login     403     403     404      403     404   404",
    ),
    "sessions/": Row(
        get="login      403     200     200      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "sessions/export.csv": Row(
        get="login      403     403     403      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    # One session, its actions; the sample session is not held: 404 once the role passes.
    "^sessions/(?P<session_id>[0-9a-fA-F]{32})/$": Row(
        get="login      403     404     404      404     404   404",
        post="405       405     405     405      405     405   405",
        path="/sessions/5e555e555e555e555e555e555e555e55/",
    ),
    "^sessions/(?P<session_id>[0-9a-fA-F]{32})/resend/$": Row(
        get="login      403     403     404      403     404   404",
        post="login     403     403     404      403     404   404",
        path="/sessions/5e555e555e555e555e555e555e555e55/resend/",
    ),
    "^sessions/(?P<session_id>[0-9a-fA-F]{32})/cancel/$": Row(
        get="login      403     403     404      403     404   404",
        post="login     403     403     404      403     404   404",
        path="/sessions/5e555e555e555e555e555e555e555e55/cancel/",
    ),
    # Nothing selected: back to the list with a message.
    "sessions/bulk-cancel/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     403     302      403     302   302",
    ),
    # The sample bulk does not exist: 404 for those who may see bulks.
    "bulk/<int:bulk_id>/": Row(
        get="login      403     403     404      404     404   404",
        post="405       405     405     405      405     405   405",
    ),
    "bulk/<int:bulk_id>/start/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     403     404      403     404   404",
    ),
    "bulk/<int:bulk_id>/export.csv": Row(
        get="login      403     403     404      404     404   404",
        post="405       405     405     405      405     405   405",
    ),
    "console/": Row(
        get="login      403     403     403      403     200   200",
        post="405       405     405     405      405     405   405",
    ),
    # An empty form: back to the console with a message.
    "console/send/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     403     403      403     302   302",
    ),
    "console/check/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     403     403      403     302   302",
    ),
    # audit
    "audit/": Row(
        get="login      403     403     403      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "audit/export.csv": Row(
        get="login      403     403     403      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    # clients feed: auditors and admins (a list of who switched 2FA off is an audit record)
    "clients/feed/": Row(
        get="login      403     403     403      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "clients/feed/export.csv": Row(
        get="login      403     403     403      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    # clients (B2Core, read live)
    "clients/": Row(
        get="login      403     200     200      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "clients/<str:client_id>/": Row(
        get="login      403     404     404      404     404   404",
        post="405       405     405     405      405     405   405",
    ),
    "clients/<str:client_id>/changes/<str:change_id>/": Row(
        get="login      403     404     404      404     404   404",
        post="405       405     405     405      405     405   405",
    ),
    # Operators too only with CLIENT_DISABLE_ROLE=operator; an empty POST is a 400 form.
    "clients/<str:client_id>/2fa/<str:method>/disable/": Row(
        get="login      403     403     403      403     404   404",
        post="login     403     403     403      403     400   400",
    ),
    # accounts
    "accounts/login/": Row(
        get="200        302     302     302      302     302   302",
        post="200       302     302     302      302     302   302",
    ),
    # The code step of signing in: these users have no second factor and none is required
    # of them here (tests/conftest.py), so there is nothing to ask: on to the page.
    "accounts/login/code/": Row(
        get="login      302     302     302      302     302   302",
        post="login     302     302     302      302     302   302",
    ),
    # Enrolment, for any signed-in user whatever their role; an empty code is refused.
    "accounts/two-factor/": Row(
        get="login      200     200     200      200     200   200",
        post="login     400     400     400      400     400   400",
    ),
    # No second factor set up yet: sent to enrolment first.
    "accounts/two-factor/recovery-codes/": Row(
        get="login      302     302     302      302     302   302",
        post="login     302     302     302      302     302   302",
    ),
    "accounts/logout/": Row(
        get="405        405     405     405      405     405   405",
        post="302       302     302     302      302     302   302",
    ),
    "accounts/time-zone/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     302     302      302     302   302",
    ),
    "accounts/preferences/": Row(
        get="login      403     200     200      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    "accounts/phone-region/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     302     302      302     302   302",
    ),
    # saved views: anyone who can read; an empty save is refused back to the list (302)
    "saved-views/<slug:list_name>/save/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     302     302      302     302   302",
    ),
    "saved-views/<int:view_id>/rename/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     404     404      404     404   404",
    ),
    "saved-views/<int:view_id>/share/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     404     404      404     404   404",
    ),
    "saved-views/<int:view_id>/delete/": Row(
        get="405        405     405     405      405     405   405",
        post="login     403     404     404      404     404   404",
    ),
    # For load balancers: open to anyone, signed in or not (no data in it); GET and HEAD only.
    "healthz": Row(
        get="200        200     200     200      200     200   200",
        post="405       405     405     405      405     405   405",
    ),
    # Browsers' CSP violation reports: open to anyone, POST only; an empty form is no report.
    "csp-report/": Row(
        get="405        405     405     405      405     405   405",
        post="415       415     415     415      415     415   415",
    ),
    # Django's admin keeps its own staff check; its hundreds of routes are one row.
    "admin/": Row(
        get="admin      admin   admin   admin    admin   admin 200",
        post="admin     admin   admin   admin    admin   admin 200",
        include=True,
    ),
}
