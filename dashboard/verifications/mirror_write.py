"""Writing provider sessions into the mirror, fast: one upsert per batch, no per-row ORM.

A sync writes about a million rows a month, so on SQLite and PostgreSQL the upsert is one
prepared statement (``INSERT … ON CONFLICT (session_id) DO UPDATE``) fed plain tuples:
building a model instance and compiling a 2,000-row statement per batch cost far more than
the database's own work. Other databases take Django's ``bulk_create``, same semantics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from dashboard.providers.wavix import Session
from dashboard.verifications.models import MirroredSession, Service

UPSERT_BATCH = 2000
# PostgreSQL: rows per statement (arrays unnested server-side).
PG_UPSERT_BATCH = 10_000
# Everything but the key may change upstream (status above all: pending → verified).
UPDATED_FIELDS = [
    "service",
    "created_at",
    "phone_number",
    "phone_last4",
    "country",
    "status",
    "charge",
    "synced_at",
]
_KEY = "session_id"
# Columns in the order of the tuples _row() makes, with the PostgreSQL array types.
_COLUMNS = [_KEY, *UPDATED_FIELDS]
_PG_TYPES = {
    "session_id": "text",
    "service": "bigint",
    "created_at": "timestamptz",
    "phone_number": "text",
    "phone_last4": "text",
    "country": "text",
    "status": "text",
    "charge": "numeric",
    "synced_at": "timestamptz",
}


def upsert_sessions(
    service: Service, sessions: Sequence[Session], *, synced_at: dt.datetime
) -> int:
    """Insert or update these sessions of one service; return how many there were."""
    connection = connections[router.db_for_write(MirroredSession)]
    if connection.vendor == "sqlite":
        _upsert_sqlite(connection, service, sessions, synced_at)
    elif connection.vendor == "postgresql":
        _upsert_postgresql(connection, service, sessions, synced_at)
    else:
        _upsert_orm(service, sessions, synced_at)
    return len(sessions)


def _country(session: Session) -> str:
    return (session.destination_country or "").upper()[:2]


def _upsert_orm(service: Service, sessions: Sequence[Session], synced_at: dt.datetime) -> None:
    rows = [
        MirroredSession(
            session_id=s.session_id,
            service=service,
            created_at=s.created_at,
            phone_number=s.phone_number,
            phone_last4=s.phone_number[-4:],
            country=_country(s),
            status=s.status[:32],
            charge=s.charge,
            synced_at=synced_at,
        )
        for s in sessions
    ]
    MirroredSession.objects.bulk_create(
        rows,
        batch_size=UPSERT_BATCH,
        update_conflicts=True,
        unique_fields=[_KEY],
        update_fields=UPDATED_FIELDS,
    )


def _names(connection: BaseDatabaseWrapper) -> tuple[str, list[str]]:
    opts = MirroredSession._meta
    quote = connection.ops.quote_name
    # Concrete fields always have a column (only virtual ones have None).
    columns = {field.name: str(field.column) for field in opts.concrete_fields}
    return quote(opts.db_table), [quote(columns[name]) for name in _COLUMNS]


def _upsert_clause(connection: BaseDatabaseWrapper, columns: list[str]) -> str:
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns[1:])
    return f"ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"


def _upsert_sqlite(
    connection: BaseDatabaseWrapper,
    service: Service,
    sessions: Sequence[Session],
    synced_at: dt.datetime,
) -> None:
    table, columns = _names(connection)
    # Only quoted names from the model's own metadata go into the text; values are params.
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) {_upsert_clause(connection, columns)}"
    )
    # The adaptations Django's fields make (datetimes as naive UTC text; decimals go as
    # Decimal, which the sqlite3 adapter Django registers turns into text).
    adapt = connection.ops.adapt_datetimefield_value
    synced = adapt(synced_at)
    pk = service.pk
    rows = [
        (
            s.session_id,
            pk,
            adapt(s.created_at),
            s.phone_number,
            s.phone_number[-4:],
            _country(s),
            s.status[:32],
            s.charge,
            synced,
        )
        for s in sessions
    ]
    # One prepared statement run per row by the driver: no SQL to build per batch, and a
    # session listed twice is simply updated twice, as row-by-row upserts would.
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _upsert_postgresql(
    connection: BaseDatabaseWrapper,
    service: Service,
    sessions: Sequence[Session],
    synced_at: dt.datetime,
) -> None:
    table, columns = _names(connection)
    arrays = ", ".join(f"%s::{_PG_TYPES[name]}[]" for name in _COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        f"{_upsert_clause(connection, columns)}"
    )
    # One statement may not update a row twice: the last listing of a session wins, as it
    # would row by row.
    unique = list({s.session_id: s for s in sessions}.values())
    with connection.cursor() as cursor:
        for start in range(0, len(unique), PG_UPSERT_BATCH):
            batch = unique[start : start + PG_UPSERT_BATCH]
            values: list[list[Any]] = [
                [s.session_id for s in batch],
                [service.pk] * len(batch),
                [s.created_at for s in batch],
                [s.phone_number for s in batch],
                [s.phone_number[-4:] for s in batch],
                [_country(s) for s in batch],
                [s.status[:32] for s in batch],
                [s.charge for s in batch],
                [synced_at] * len(batch),
            ]
            cursor.execute(sql, values)
