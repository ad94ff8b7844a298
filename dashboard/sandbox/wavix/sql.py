"""Database expressions that render wire values in SQL, so the sessions list needs no
per-row Python conversion (Django's datetime and decimal converters dominate a 35k-row day).

Each has a SQLite and a PostgreSQL form (the two databases the project runs on).
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func
from django.db.models.sql.compiler import SQLCompiler

SQLParams = tuple[str, tuple[str | int, ...]]


class WireSeconds(Func):
    """A datetime as ``2022-02-16T13:41:38.000Z`` text (UTC, second precision)."""

    output_field = CharField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> SQLParams:
        template = "strftime('%%Y-%%m-%%dT%%H:%%M:%%S.000Z', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> SQLParams:
        template = (
            "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\".000Z\"')"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


class FourDecimals(Func):
    """A money column as text with exactly four decimals (``0.0840``)."""

    output_field = CharField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> SQLParams:
        # SQLite keeps decimals as REAL: printf restores the four places.
        return self.as_sql(
            compiler, connection, template="printf('%%.4f', %(expressions)s)", **extra
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> SQLParams:
        # numeric(10, 4) as text keeps its scale.
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)
