"""Keyset paging: pages that cost the same on row 10,000 as on row 1, and no count.

A cursor is the sort key of the last (or first) row shown, signed so a hand-edited cursor
is rejected rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)
_SIGNER = signing.Signer(salt="dashboard.keyset")


@dataclass(frozen=True)
class SortKey:
    fields: tuple[str, ...]
    descending: tuple[bool, ...]

    def order_by(self, *, reverse: bool = False) -> list[str]:
        return [
            ("-" if desc != reverse else "") + name
            for name, desc in zip(self.fields, self.descending, strict=True)
        ]

    def after(self, values: Sequence[Any], *, reverse: bool = False) -> Q:
        """Rows strictly after `values` in this order (before them when reverse)."""
        condition = Q()
        for i, name in enumerate(self.fields):
            descending = self.descending[i] != reverse
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
            for previous, value in zip(self.fields[:i], values[:i], strict=True):
                step &= Q(**{previous: value})
            condition |= step
        # Redundant, but it lets the database use the index range instead of scanning.
        first_desc = self.descending[0] != reverse
        bound = Q(**{f"{self.fields[0]}__{'lte' if first_desc else 'gte'}": values[0]})
        return bound & condition


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return Decimal(value["d"])
        raise ValueError("unknown cursor value")
    if not isinstance(value, str | int | float | None):
        raise ValueError("unknown cursor value")
    return value


def make_cursor(values: Sequence[Any]) -> str:
    return _SIGNER.sign(json.dumps([_encode_value(v) for v in values], separators=(",", ":")))


class BadCursor(ValueError):
    pass


def read_cursor(cursor: str, key: SortKey) -> list[Any]:
    try:
        values = [_decode_value(v) for v in json.loads(_SIGNER.unsign(cursor))]
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise BadCursor("That page link is no longer valid; showing the first page.") from exc
    if len(values) != len(key.fields):
        raise BadCursor("That page link is no longer valid; showing the first page.")
    return values


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    previous_cursor: str | None


def paginate(
    queryset: QuerySet[M],
    key: SortKey,
    *,
    size: int,
    after: str = "",
    before: str = "",
) -> Page[M]:
    """One page of `queryset` in `key` order, after or before a cursor; raises BadCursor."""

    def values(row: M) -> list[Any]:
        return [getattr(row, name) for name in key.fields]

    if before:
        anchor = read_cursor(before, key)
        rows = list(
            queryset.filter(key.after(anchor, reverse=True)).order_by(*key.order_by(reverse=True))[
                : size + 1
            ]
        )
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        return Page(
            rows=rows,
            next_cursor=make_cursor(values(rows[-1])) if rows else None,
            previous_cursor=make_cursor(values(rows[0])) if rows and has_more else None,
        )
    qs = queryset.order_by(*key.order_by())
    if after:
        qs = qs.filter(key.after(read_cursor(after, key)))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_cursor=make_cursor(values(rows[-1])) if rows and has_more else None,
        previous_cursor=make_cursor(values(rows[0])) if rows and after else None,
    )
