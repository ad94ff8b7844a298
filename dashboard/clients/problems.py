"""A failed B2Core read as the sentence the page that needed it shows, never a traceback.

A 403 is expected, not a fault: B2Core lets an admin see only the clients whose tags it
allows, so a tag-restricted client is shown as such, calmly.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.providers.errors import (
    BadResponse,
    Forbidden,
    NotFound,
    ProviderError,
    RateLimited,
    Rejected,
    Unauthorized,
    Unavailable,
)

RESTRICTED = (
    "This service account may not see this client: B2Core restricts it by tag. "
    "That is how B2Core is set up, not a fault; ask a B2Core administrator to widen the "
    "account's tags if you need this client."
)


@dataclass(frozen=True)
class Problem:
    """``kind``: restricted, not_found, outage, unreadable, credentials or refused."""

    kind: str
    message: str

    @property
    def expected(self) -> bool:
        """A state of the world (tag restriction, no such record), not something broken."""
        return self.kind in ("restricted", "not_found")


LIST_REFUSED = (
    "B2Core refused the dashboard's service account its client list (403): the account "
    "lacks the Back Office permission to read clients; ask a B2Core administrator."
)


def problem(exc: ProviderError, not_found: str, *, one_client: bool = True) -> Problem:
    """What to tell the operator about ``exc``; ``not_found`` is the 404 sentence.

    A 403 about one client is a tag restriction; about the whole list (``one_client`` False)
    it is the account's missing permission, and says so.
    """
    if isinstance(exc, Forbidden) and not one_client:
        said = f" B2Core said: {exc.detail}" if exc.detail else ""
        return Problem("refused", LIST_REFUSED + said)
    if isinstance(exc, Forbidden):
        return Problem("restricted", RESTRICTED)
    if isinstance(exc, NotFound):
        return Problem("not_found", not_found)
    if isinstance(exc, Unavailable | RateLimited):
        return Problem("outage", f"B2Core could not be reached: {exc.message} Try again shortly.")
    if isinstance(exc, BadResponse):
        return Problem(
            "unreadable", f"B2Core answered with something we cannot read. {exc.message}"
        )
    if isinstance(exc, Unauthorized):
        return Problem(
            "credentials", f"B2Core did not accept the dashboard's credentials. {exc.message}"
        )
    if isinstance(exc, Rejected):
        return Problem("refused", f"B2Core refused the request. {exc.message}")
    return Problem("outage", f"B2Core failed. {exc.message}")
