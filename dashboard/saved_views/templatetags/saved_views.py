from __future__ import annotations

from typing import Any

from django import template

from dashboard.saved_views.lists import LISTS
from dashboard.saved_views.menu import build_menu

register = template.Library()


@register.inclusion_tag("saved_views/menu.html", takes_context=True)
def saved_views_menu(context: template.Context, list_name: str) -> dict[str, Any]:
    """The menu for a list page; nothing for a user who may not open that list."""
    request = context.get("request")
    page = LISTS.get(list_name)
    if request is None or page is None:
        return {"menu": None}
    return {"menu": build_menu(request, page), "csrf_token": context.get("csrf_token")}
