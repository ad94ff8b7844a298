"""Keyset paging: pages that cost the same on row 10,000 as on row 1, and no count.

A cursor is the sort key of the last (or first) row shown, with the table and the sort it
was made for, signed. It is read back only for that same table and sort, and each value
is checked against its column's type, so a cursor from another sort, a hand-edited one or
one forged with a leaked key is refused (BadCursor) rather than reaching the query.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)
_SIGNER = signing.Signer(salt="dashboard.keyset")
# Over twice any cursor we make (~210 characters); a longer one is refused before the HMAC
# or the JSON parser sees it (which also keeps any forged nesting shallow).
MAX_CURSOR_LENGTH = 500
NO_LONGER_VALID = "That page link is no longer valid; showing the first page."
# The widest integer every supported database stores (a bigint).
_INT_RANGE = range(-(2**63), 2**63)


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


class BadCursor(ValueError):
    def __init__(self, reason: str = "") -> None:
        # The reason is for tests and debugging; people see one sentence whatever went wrong.
        super().__init__(NO_LONGER_VALID)
        self.reason = reason


def _scope(model: type[Model], key: SortKey) -> str:
    """What a cursor is valid for: one table in one order."""
    return f"{model._meta.label_lower}:{','.join(key.order_by())}"


def _encode_value(field: models.Field[Any, Any], value: Any) -> Any:
    if isinstance(field, models.DateTimeField) and isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(field, models.DecimalField) and isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(field, models.CharField | models.TextField) and isinstance(value, str):
        return value
    if isinstance(field, models.IntegerField) and type(value) is int:
        return value
    raise TypeError(f"no cursor encoding for {field.name}={value!r}")


def _decode_value(field: models.Field[Any, Any], value: Any) -> Any:
    """The value of `field` in a cursor, or BadCursor; strict, since a cursor may be forged."""
    if isinstance(field, models.DateTimeField):
        return _decode_time(field.name, value)
    if isinstance(field, models.DecimalField):
        if not (isinstance(value, dict) and value.keys() == {"d"} and isinstance(value["d"], str)):
            raise BadCursor(f"{field.name}: not a decimal")
        try:
            number = Decimal(value["d"])
            DecimalValidator(field.max_digits, field.decimal_places)(number)
        except (InvalidOperation, ValidationError) as exc:
            raise BadCursor(f"{field.name}: {value['d']!r} does not fit the column") from exc
        return number
    if isinstance(field, models.CharField | models.TextField):
        if not isinstance(value, str) or not _storable_text(value):
            raise BadCursor(f"{field.name}: not text the column could hold")
        if field.max_length is not None and len(value) > field.max_length:
            raise BadCursor(f"{field.name}: longer than the column")
        return value
    if isinstance(field, models.IntegerField):
        if type(value) is not int or value not in _INT_RANGE:
            raise BadCursor(f"{field.name}: not an integer the column could hold")
        return value
    raise BadCursor(f"{field.name}: no cursor decoding")


def _decode_time(name: str, value: Any) -> dt.datetime:
    if not (isinstance(value, dict) and value.keys() == {"t"} and isinstance(value["t"], str)):
        raise BadCursor(f"{name}: not a time")
    try:
        moment = dt.datetime.fromisoformat(value["t"])
        # The database compares in UTC; a time that cannot be one (year 1, east of UTC) is
        # no position.
        utc = moment.astimezone(dt.UTC) if moment.tzinfo is not None else None
    except (ValueError, OverflowError) as exc:
        raise BadCursor(f"{name}: {exc}") from exc
    if utc is None:
        raise BadCursor(f"{name}: a time without its offset")
    return utc


def _storable_text(value: str) -> bool:
    # PostgreSQL refuses NUL in text and every driver refuses a lone surrogate: an error
    # from the database, not a miss.
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fields(model: type[Model], key: SortKey) -> list[models.Field[Any, Any]]:
    fields: list[models.Field[Any, Any]] = []
    for name in key.fields:
        field = model._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise TypeError(f"{model.__name__}.{name} is not a column to page on")
        fields.append(field)
    return fields


def make_cursor(
    model: type[Model], key: SortKey, values: Sequence[Any], position: int | None = None
) -> str:
    """A cursor for the row with these sort-key values, valid only for `model` in `key`.

    `position`: the row's place in the list (1 = first), when known. It rides in the signed
    cursor, so "rows 1,001–1,050" costs nothing to show and cannot be edited into a lie.
    """
    encoded = [_encode_value(f, v) for f, v in zip(_fields(model, key), values, strict=True)]
    payload: dict[str, Any] = {"s": _scope(model, key), "v": encoded}
    if position is not None:
        payload["p"] = position
    return _SIGNER.sign(json.dumps(payload, separators=(",", ":")))


def read_cursor(cursor: str, model: type[Model], key: SortKey) -> list[Any]:
    """The sort-key values in a cursor made for `model` in `key`; BadCursor otherwise."""
    return _read(cursor, model, key)[0]


def _read(cursor: str, model: type[Model], key: SortKey) -> tuple[list[Any], int | None]:
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor("too long")
    try:
        payload = json.loads(_SIGNER.unsign(cursor))
    except signing.BadSignature as exc:
        raise BadCursor("bad signature") from exc
    except ValueError as exc:
        raise BadCursor("not JSON") from exc
    if not (isinstance(payload, dict) and payload.keys() in ({"s", "v"}, {"s", "v", "p"})):
        raise BadCursor("not a cursor")
    position = payload.get("p")
    if position is not None and not (type(position) is int and 1 <= position < 2**53):
        raise BadCursor("bad position")
    if payload["s"] != _scope(model, key):
        raise BadCursor(f"made for {payload['s']!r}, not {_scope(model, key)!r}")
    fields = _fields(model, key)
    values = payload["v"]
    if not (isinstance(values, list) and len(values) == len(fields) == len(key.fields)):
        raise BadCursor("wrong number of values")
    return [_decode_value(f, v) for f, v in zip(fields, values, strict=True)], position


@dataclass(frozen=True)
class Page(Generic[M]):
    rows: list[M]
    next_cursor: str | None
    previous_cursor: str | None
    # The first row's place in the whole list (1-based), when known: "rows 1,001–1,050".
    first_position: int | None = None

    @property
    def last_position(self) -> int | None:
        if self.first_position is None or not self.rows:
            return None
        return self.first_position + len(self.rows) - 1


def paginate(
    queryset: QuerySet[M],
    key: SortKey,
    *,
    size: int,
    after: str = "",
    before: str = "",
    start: Sequence[Any] | None = None,
    start_position: int | None = None,
) -> Page[M]:
    """One page of `queryset` in `key` order, after or before a cursor; raises BadCursor.

    `start`: sort-key values to begin strictly after, as if from a cursor (a "jump to"
    point); `start_position`: how many rows come before it, if known.
    """
    model = queryset.model

    def cursor(row: M, position: int | None) -> str:
        return make_cursor(model, key, [getattr(row, name) for name in key.fields], position)

    def at(first: int | None, offset: int) -> int | None:
        return None if first is None else first + offset

    if before:
        anchor, anchor_position = _read(before, model, key)
        rows = list(
            queryset.filter(key.after(anchor, reverse=True)).order_by(*key.order_by(reverse=True))[
                : size + 1
            ]
        )
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        top = None if anchor_position is None else anchor_position - len(rows)
        if top is not None and (top < 1 or (top > 1) != has_more):
            top = None  # rows came or went since the cursor was made: don't guess
        return Page(
            rows=rows,
            next_cursor=cursor(rows[-1], at(top, len(rows) - 1)) if rows else None,
            previous_cursor=cursor(rows[0], top) if rows and has_more else None,
            first_position=top,
        )
    qs = queryset.order_by(*key.order_by())
    first: int | None = 1
    if after:
        anchor, anchor_position = _read(after, model, key)
        qs = qs.filter(key.after(anchor))
        first = None if anchor_position is None else anchor_position + 1
    elif start is not None:
        qs = qs.filter(key.after(start))
        first = None if start_position is None else start_position + 1
    # A jump to the first row has nothing before it.
    started_late = start is not None and first != 1
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_cursor=cursor(rows[-1], at(first, len(rows) - 1)) if rows and has_more else None,
        previous_cursor=cursor(rows[0], first) if rows and (after or started_late) else None,
        first_position=first,
    )
