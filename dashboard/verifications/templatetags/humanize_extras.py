from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: int | None) -> str:
    """1234567 → "1,234,567" (without enabling localisation site-wide)."""
    return "—" if value is None else f"{value:,}"
