from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def thousands(value: int | None) -> str:
    """1234567 → "1,234,567" (without enabling localisation site-wide)."""
    return "—" if value is None else f"{value:,}"


@register.filter
def duration(seconds: int | None) -> str:
    """194 → "3 min 14 s"."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


@register.filter
def get_item(mapping: dict[str, int], key: str) -> int:
    return mapping.get(key, 0)
