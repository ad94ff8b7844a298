"""The sandbox's fixed credentials: public on purpose, they guard only generated data.

The dashboard side may import this module (never the sandbox's models) to connect to the
embedded sandbox when a provider is not configured.
"""

from __future__ import annotations

# Wavix: a key with both scopes, and a restricted key that can only read (two_fa:read).
WAVIX_API_KEY = "sandbox-wavix-key"
WAVIX_READONLY_API_KEY = "sandbox-wavix-readonly-key"

# B2Core Back Office service account (admin sign-in) and the password every generated
# client signs in with on the client-side ("my") API.
B2CORE_ADMIN_EMAIL = "admin@sandbox.example"
B2CORE_ADMIN_PASSWORD = "sandbox-admin-password"  # noqa: S105
B2CORE_CLIENT_PASSWORD = "sandbox-client-password"  # noqa: S105

# Where the sandbox is mounted, below the root of its own URLconf (see root_urls.py).
WAVIX_PREFIX = "/sandbox/wavix"
B2CORE_PREFIX = "/sandbox/b2core"
CONTROL_PREFIX = "/sandbox/_control"
