"""Daily rollups of the mirror: kept exact by every writer of sessions, in its transaction.

A rollup row counts one service's sessions on one UTC day with one status and country, with
their spend and newest time; a total row sums a (service, day, status) over countries.
Period figures read these, so their cost grows with days, not sessions. Whoever changes
sessions recomputes the rows they touched from the sessions themselves, inside the same
transaction: a sync a whole (service, day) after rewriting its window (one grouped
INSERT … SELECT over rows it just wrote, cheaper than reading the old rows for deltas), a
status change only the two (status, country) rows it moves a session between.
Recomputing rather than adding deltas keeps them exact whatever the write did.

Concurrency: SQLite transactions are IMMEDIATE (settings), so writers are serialised already.
On PostgreSQL a writer takes a transaction-level advisory lock per (service, day), in
sorted order and before writing any session, and a shared lock on the whole mirror that
purges and rebuilds take exclusively: a recompute never reads a day another transaction is
halfway through changing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max, Min
from django.utils.dateparse import parse_datetime

from dashboard.verifications.models import DailyRollup, DailyTotal, MirroredSession

# (service pk, UTC day)
ServiceDay = tuple[int, dt.date]

# PostgreSQL advisory lock keys. The whole mirror: a 64-bit key (the audit trail uses
# another); days: the two-key space, which never meets the 64-bit one.
_PG_MIRROR_LOCK = 0x524F4C4C5550  # "ROLLUP"
_PG_DAY_CLASS = 0x524F4C4C  # "ROLL"
_INT32 = 2**31
# Sessions asked about per statement when looking for ones a sync moves between days.
_ID_CHUNK = 5000
# Days recomputed per transaction by rebuild(): short enough not to hold syncs up.
REBUILD_DAYS = 31


def _connection() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(DailyRollup)]


def utc_day(value: dt.datetime) -> dt.date:
    return value.astimezone(dt.UTC).date()


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def lock_days(pairs: Iterable[ServiceDay]) -> None:
    """Hold these (service, day)s until the transaction ends (PostgreSQL; SQLite needs none).

    Take them before writing any session of those days, so that every writer locks in the
    same order: days first (sorted), then rows.
    """
    connection = _connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_PG_MIRROR_LOCK])
        for service_pk, day in sorted(set(pairs)):
            # Two distinct days may share a key: they then wait for each other, no more.
            key = (service_pk * 1_000_003 + day.toordinal()) % (2 * _INT32) - _INT32
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PG_DAY_CLASS, key])


def lock_mirror() -> None:
    """Hold the whole mirror against every rollup writer until the transaction ends."""
    connection = _connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_MIRROR_LOCK])


def _names(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Quoted table ("x_table") and column ("x_field") names: r_ rollup, t_ total, s_ session."""
    quote = connection.ops.quote_name
    names = {}
    for model, prefix in ((DailyRollup, "r_"), (DailyTotal, "t_"), (MirroredSession, "s_")):
        names[prefix + "table"] = quote(model._meta.db_table)
        for field in model._meta.concrete_fields:
            names[prefix + field.name] = quote(str(field.column))
    return names


def _either(pairs: Sequence[tuple[str, ...]]) -> str:
    """`` AND ((a = %s AND b = %s) OR …)`` over these column tuples ("" for none)."""
    if not pairs:
        return ""
    return (
        " AND ("
        + " OR ".join(
            "(" + " AND ".join(f"{column} = %s" for column in pair) + ")" for pair in pairs
        )
        + ")"
    )


def recompute(service_pk: int, day: dt.date, keys: Iterable[tuple[str, str]] = ()) -> None:
    """Rewrite the rollup rows of one (service, day) from its sessions, in the caller's
    transaction: all of them, or only these (status, country) keys."""
    connection = _connection()
    n = _names(connection)
    ops = connection.ops
    day_value = ops.adapt_datefield_value(day)
    start = ops.adapt_datetimefield_value(day_start(day))
    end = ops.adapt_datetimefield_value(day_start(day + dt.timedelta(days=1)))
    wanted = sorted(set(keys))
    statuses = sorted({status for status, _ in wanted})
    key_params = [value for key in wanted for value in key]
    # Only quoted names from the models' metadata go into the SQL text; values are params.
    statements = [
        (
            f"DELETE FROM {n['r_table']} WHERE {n['r_service']} = %s AND {n['r_day']} = %s"  # noqa: S608
            + _either([(n["r_status"], n["r_country"])] * len(wanted)),
            [service_pk, day_value, *key_params],
        ),
        (
            f"INSERT INTO {n['r_table']} ({n['r_service']}, {n['r_day']}, {n['r_status']}, "  # noqa: S608
            f"{n['r_country']}, {n['r_sessions']}, {n['r_spend']}, {n['r_last_created_at']}) "
            f"SELECT {n['s_service']}, %s, {n['s_status']}, {n['s_country']}, COUNT(*), "
            f"SUM({n['s_charge']}), MAX({n['s_created_at']}) FROM {n['s_table']} "
            f"WHERE {n['s_service']} = %s AND {n['s_created_at']} >= %s "
            f"AND {n['s_created_at']} < %s"
            + _either([(n["s_status"], n["s_country"])] * len(wanted))
            + f" GROUP BY {n['s_service']}, {n['s_status']}, {n['s_country']}",
            [day_value, service_pk, start, end, *key_params],
        ),
        # The totals over countries, from the rows just written (a few dozen at most).
        (
            f"DELETE FROM {n['t_table']} WHERE {n['t_service']} = %s AND {n['t_day']} = %s"  # noqa: S608
            + _either([(n["t_status"],)] * len(statuses)),
            [service_pk, day_value, *statuses],
        ),
        (
            f"INSERT INTO {n['t_table']} ({n['t_service']}, {n['t_day']}, {n['t_status']}, "  # noqa: S608
            f"{n['t_sessions']}, {n['t_spend']}, {n['t_last_created_at']}) "
            f"SELECT {n['r_service']}, {n['r_day']}, {n['r_status']}, SUM({n['r_sessions']}), "
            f"SUM({n['r_spend']}), MAX({n['r_last_created_at']}) FROM {n['r_table']} "
            f"WHERE {n['r_service']} = %s AND {n['r_day']} = %s"
            + _either([(n["r_status"],)] * len(statuses))
            + f" GROUP BY {n['r_service']}, {n['r_day']}, {n['r_status']}",
            [service_pk, day_value, *statuses],
        ),
    ]
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def recompute_days(pairs: Iterable[ServiceDay]) -> None:
    for service_pk, day in sorted(set(pairs)):
        recompute(service_pk, day)


def days_moved_away(
    service_pk: int, session_ids: Sequence[str], first_day: dt.date, last_day: dt.date
) -> set[ServiceDay]:
    """Where stored sessions among these IDs lie outside (service, first_day..last_day).

    A sync about to store them under that service and those days takes them out of the
    days they are in now (a provider that changed a session's time or service), whose
    rollups then need recomputing too. Normally none are: an index lookup per ID.
    """
    moved: set[ServiceDay] = set()
    connection = _connection()
    n = _names(connection)
    ops = connection.ops
    start = ops.adapt_datetimefield_value(day_start(first_day))
    end = ops.adapt_datetimefield_value(day_start(last_day + dt.timedelta(days=1)))
    # Plain SQL: the ORM spends longer compiling a 5,000-value IN than the lookups take.
    with connection.cursor() as cursor:
        for offset in range(0, len(session_ids), _ID_CHUNK):
            chunk = list(session_ids[offset : offset + _ID_CHUNK])
            cursor.execute(
                f"SELECT {n['s_service']}, {n['s_created_at']} FROM {n['s_table']} "  # noqa: S608
                f"WHERE {n['s_session_id']} IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND NOT ({n['s_service']} = %s AND {n['s_created_at']} >= %s "
                f"AND {n['s_created_at']} < %s)",
                [*chunk, service_pk, start, end],
            )
            for pk, created in cursor.fetchall():
                moved.add((pk, utc_day(_aware(created))))
    return moved


def _aware(value: dt.datetime | str) -> dt.datetime:
    # SQLite hands back the stored text (UTC), PostgreSQL an aware datetime.
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if parsed is None:
        raise ValueError(f"unreadable session time {value!r}")
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def set_session_status(session_id: str, status: str) -> bool:
    """Store a status seen for a session, its rollups kept exact; False if nothing changed."""
    status = status[:32]

    def where() -> tuple[int, dt.date] | None:
        row = (
            MirroredSession.objects.filter(pk=session_id)
            .values_list("service_id", "created_at")
            .first()
        )
        return None if row is None else (row[0], utc_day(row[1]))

    with transaction.atomic(using=_connection().alias):
        found = where()
        if found is None:
            return False
        lock_days([found])
        # Read again under the lock: a sync may have changed the session meanwhile.
        row = (
            MirroredSession.objects.select_for_update()
            .filter(pk=session_id)
            .values_list("service_id", "created_at", "country", "status")
            .first()
        )
        if row is None or row[3] == status:
            return False
        service_pk, created_at, country, before = row
        day = utc_day(created_at)
        if (service_pk, day) != found:
            lock_days([(service_pk, day)])
        MirroredSession.objects.filter(pk=session_id).update(status=status)
        recompute(service_pk, day, [(before, country), (status, country)])
    return True


def delete_before(cutoff: dt.datetime) -> tuple[int, int]:
    """Delete the sessions created before ``cutoff`` and keep the rollups exact: rows of
    earlier days go, the cutoff's own day is recomputed. Returns (sessions, rollup rows)."""
    day = utc_day(cutoff)
    with transaction.atomic(using=_connection().alias):
        lock_mirror()
        sessions, _ = MirroredSession.objects.filter(created_at__lt=cutoff).delete()
        rows, _ = DailyRollup.objects.filter(day__lt=day).delete()
        DailyTotal.objects.filter(day__lt=day).delete()
        partial = DailyRollup.objects.filter(day=day).values_list("service_id", flat=True)
        for service_pk in sorted(set(partial)):
            recompute(service_pk, day)
    return sessions, rows


def delete_service_sessions(service_pk: int) -> int:
    """Delete one service's sessions and rollups together; return how many sessions."""
    with transaction.atomic(using=_connection().alias):
        lock_mirror()
        sessions: int = MirroredSession.objects.filter(service_id=service_pk).delete()[0]
        DailyRollup.objects.filter(service_id=service_pk).delete()
        DailyTotal.objects.filter(service_id=service_pk).delete()
    return sessions


def rebuild(progress: Callable[[str], None] | None = None) -> int:
    """Recompute every rollup row from the sessions, a month of one service a transaction;
    return how many (service, day)s were recomputed."""
    spans: dict[int, list[dt.date]] = {}
    # A rollup row lies on the day of its newest session: both spans cover every day to do.
    held = MirroredSession.objects.values("service_id").annotate(
        lo=Min("created_at"), hi=Max("created_at")
    )
    kept = DailyRollup.objects.values("service_id").annotate(
        lo=Min("last_created_at"), hi=Max("last_created_at")
    )
    totals = DailyTotal.objects.values("service_id").annotate(
        lo=Min("last_created_at"), hi=Max("last_created_at")
    )
    for row in [*held.order_by(), *kept.order_by(), *totals.order_by()]:
        spans.setdefault(row["service_id"], []).extend((utc_day(row["lo"]), utc_day(row["hi"])))
    done = 0
    for service_pk, days in sorted(spans.items()):
        day, last = min(days), max(days)
        while day <= last:
            chunk_end = min(last, day + dt.timedelta(days=REBUILD_DAYS - 1))
            with transaction.atomic(using=_connection().alias):
                lock_mirror()
                for model in (DailyRollup, DailyTotal):
                    model.objects.filter(
                        service_id=service_pk, day__gte=day, day__lte=chunk_end
                    ).delete()
                while day <= chunk_end:
                    recompute(service_pk, day)
                    day += dt.timedelta(days=1)
                    done += 1
            if progress is not None:
                progress(f"service {service_pk}: through {chunk_end}")
    return done
