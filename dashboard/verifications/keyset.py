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


def make_cursor(model: type[Model], key: SortKey, values: Sequence[Any]) -> str:
    """A cursor for the row with these sort-key values, valid only for `model` in `key`."""
    encoded = [_encode_value(f, v) for f, v in zip(_fields(model, key), values, strict=True)]
    payload = {"s": _scope(model, key), "v": encoded}
    return _SIGNER.sign(json.dumps(payload, separators=(",", ":")))


def read_cursor(cursor: str, model: type[Model], key: SortKey) -> list[Any]:
    """The sort-key values in a cursor made for `model` in `key`; BadCursor otherwise."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise BadCursor("too long")
    try:
        payload = json.loads(_SIGNER.unsign(cursor))
    except signing.BadSignature as exc:
        raise BadCursor("bad signature") from exc
    except ValueError as exc:
        raise BadCursor("not JSON") from exc
    if not (isinstance(payload, dict) and payload.keys() == {"s", "v"}):
        raise BadCursor("not a cursor")
    if payload["s"] != _scope(model, key):
        raise BadCursor(f"made for {payload['s']!r}, not {_scope(model, key)!r}")
    fields = _fields(model, key)
    values = payload["v"]
    if not (isinstance(values, list) and len(values) == len(fields) == len(key.fields)):
        raise BadCursor("wrong number of values")
    return [_decode_value(f, v) for f, v in zip(fields, values, strict=True)]


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
    model = queryset.model

    def cursor(row: M) -> str:
        return make_cursor(model, key, [getattr(row, name) for name in key.fields])

    if before:
        anchor = read_cursor(before, model, key)
        rows = list(
            queryset.filter(key.after(anchor, reverse=True)).order_by(*key.order_by(reverse=True))[
                : size + 1
            ]
        )
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        return Page(
            rows=rows,
            next_cursor=cursor(rows[-1]) if rows else None,
            previous_cursor=cursor(rows[0]) if rows and has_more else None,
        )
    qs = queryset.order_by(*key.order_by())
    if after:
        qs = qs.filter(key.after(read_cursor(after, model, key)))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(
        rows=rows,
        next_cursor=cursor(rows[-1]) if rows and has_more else None,
        previous_cursor=cursor(rows[0]) if rows and after else None,
    )
