"""Waiting for a page's state under the dashboard's Content-Security-Policy.

Playwright's page.wait_for_function evaluates its predicate with eval() inside the page,
which `script-src 'self'` refuses once the page has navigated, even within the document
(an htmx history restore does): "EvalError: ... 'unsafe-eval' is not an allowed source".
page.evaluate goes through the DevTools protocol, which the CSP does not govern, so
polling it from here waits for the same thing.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Error, Page

POLL_MS = 50


def wait_until(page: Page, expression: str, arg: Any = None, timeout: float = 10.0) -> Any:
    """The first truthy value of `expression` (a JS expression, or a function of `arg`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(expression, arg)
        except Error as exc:
            # A page load in progress replaced the document the expression ran in: ask again.
            if "context was destroyed" not in str(exc):
                raise
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(POLL_MS)
