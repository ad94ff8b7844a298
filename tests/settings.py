"""The suite's settings: production's (dashboard.settings, DEBUG off), over plain http.

The test client and the live server Chromium drives speak http://, so the redirect to
https is off; everything else (HSTS on secure requests, Secure cookies, CSP, session
limits) stays as production has it, and tests/test_security_headers.py checks it there.
"""

from dashboard.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
