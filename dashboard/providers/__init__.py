"""Clients for the outside world (Wavix 2FA, B2Core): plain Python, never Django."""
