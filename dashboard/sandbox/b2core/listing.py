"""B2Core list queries: ``limit``/``offset``, ``sort_by``/``sort_order``, ``filter[...]``.

Filtering, counting and slicing all happen in the database; ``total`` is the filtered count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, QueryDict

from dashboard.sandbox.b2core.models import Change, Client, Provider
from dashboard.sandbox.b2core.twofa import change_body
from dashboard.sandbox.b2core.wire import ApiError, iso, parse_bool, parse_time

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

M = TypeVar("M", bound=Model)


def _int(params: QueryDict, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer", errors={name: [raw]}) from None
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be {bound}", errors={name: [raw]})
    return value


def _filter(params: QueryDict, name: str) -> str:
    return params.get(f"filter[{name}]", "").strip()


def _sorted(
    queryset: QuerySet[M], params: QueryDict, fields: dict[str, str], default: str
) -> QuerySet[M]:
    sort_by = params.get("sort_by", "").strip() or default
    if sort_by not in fields:
        raise ApiError(400, f"sort_by must be one of: {', '.join(fields)}", errors={"sort_by": []})
    order = params.get("sort_order", "asc").strip().lower() or "asc"
    if order not in ("asc", "desc"):
        raise ApiError(400, "sort_order must be asc or desc", errors={"sort_order": [order]})
    sign = "-" if order == "desc" else ""
    # The id breaks ties, so that pages never overlap or skip rows with equal times.
    return queryset.order_by(f"{sign}{fields[sort_by]}", f"{sign}id")


def page(
    queryset: QuerySet[M], params: QueryDict, render: Callable[[M], dict[str, Any]]
) -> dict[str, Any]:
    limit = _int(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _int(params, "offset", 0, 0, None)
    total = queryset.count()
    rows = queryset[offset : offset + limit] if offset < total else []
    return {"total": total, "data": [render(row) for row in rows]}


def client_body(client: Client) -> dict[str, Any]:
    return {
        "id": client.id,
        "email": client.email,
        "name": client.name,
        "phone": client.phone,
        "createTime": iso(client.create_time),
    }


def clients_page(queryset: QuerySet[Client], request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    ids = _filter(params, "clientId")
    if ids:
        try:
            wanted = [int(part) for part in ids.split(",") if part.strip()]
        except ValueError:
            raise ApiError(
                400, "filter[clientId] must be a comma-separated list of integers"
            ) from None
        queryset = queryset.filter(id__in=wanted)
    if email := _filter(params, "email"):
        queryset = queryset.filter(email__icontains=email)
    if name := _filter(params, "name"):
        queryset = queryset.filter(name__icontains=name)
    fields = {"id": "id", "createTime": "create_time", "email": "email", "name": "name"}
    return page(_sorted(queryset, params, fields, "id"), params, client_body)


def changes_page(queryset: QuerySet[Change], request: HttpRequest) -> dict[str, Any]:
    params = request.GET
    enabled = parse_bool("filter[isEnabled]", _filter(params, "isEnabled"))
    if enabled is not None:
        queryset = queryset.filter(is_enabled=enabled)
    if raw := _filter(params, "timeFrom"):
        queryset = queryset.filter(time__gte=parse_time("filter[timeFrom]", raw))
    if raw := _filter(params, "timeTo"):
        queryset = queryset.filter(time__lte=parse_time("filter[timeTo]", raw))
    if raw := _filter(params, "provider"):
        providers = [part.strip().lower() for part in raw.split(",") if part.strip()]
        unknown = [p for p in providers if p not in Provider.values]
        if unknown:
            raise ApiError(
                400,
                "filter[provider] must be google or sms",
                errors={"filter[provider]": unknown},
            )
        queryset = queryset.filter(provider__in=providers)
    return page(
        _sorted(queryset, params, {"time": "time", "id": "id"}, "time"), params, change_body
    )
