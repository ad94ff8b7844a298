"""Append-only in the database itself: triggers that refuse UPDATE and DELETE (and, on
PostgreSQL, TRUNCATE) on the audit table, whoever connects.

Installed by migration 0002 for the database in use. On SQLite, a migration that rebuilds
the table (most ALTERs) drops its triggers: such a migration must call `install()` again,
and a new column must be added to FROZEN_COLUMNS (a test checks), with the triggers
reinstalled (`remove()` then `install()`). `verify_audit` fails when they are missing.

Two things get through, on purpose:
- setting `actor_id` to NULL and nothing else: Django's SET_NULL when a user is deleted (the
  hash chain covers the username, not the id);
- maintenance mode, switched on per connection by `set_maintenance()`. It exists so that the
  test suite can empty its database between tests (Django's flush deletes or truncates every
  table). Production code never turns it on. On PostgreSQL it is a setting any session could
  set, so the triggers honour it only in a database named test_… (Django's test databases);
  on SQLite it lives in the Django process, out of SQL's reach, and a connection that is not
  Django's (the sqlite3 shell) lacks the function the triggers call, so it is refused too.
  To empty or prune the table for real, drop the triggers (`remove()`) and reinstall them.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditrecord"
# Every column except actor_id: an UPDATE must leave all of them as they were.
FROZEN_COLUMNS = (
    "id", "created_at", "actor_username", "client_ip", "action", "targets", "first_target",
    "reason", "outcome", "provider_message", "request_id", "prev_hash", "hash",
)  # fmt: skip
PG_SETTING = "dashboard.audit_maintenance"

_unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in FROZEN_COLUMNS)
SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
    WHEN NOT audit_maintenance() AND NOT (NEW.actor_id IS NULL AND {_unchanged})
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT audit_maintenance()
    BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE refused'); END""",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"]

PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        allowed {TABLE};
    BEGIN
        IF current_setting('{PG_SETTING}', true) = 'on'
                AND current_database() LIKE 'test\\_%' THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            allowed := OLD;
            allowed.actor_id := NULL;
            IF NEW IS NOT DISTINCT FROM allowed THEN RETURN NEW; END IF;
        END IF;
        RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$""",
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
PG_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_refuse_change()",
]

_maintenance_by_default = False


def _statements(connection: BaseDatabaseWrapper, *, remove: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return SQLITE_REMOVE if remove else SQLITE_INSTALL
    if connection.vendor == "postgresql":
        return PG_REMOVE if remove else PG_INSTALL
    raise NotImplementedError(f"no append-only triggers for {connection.vendor}")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, remove=False):
            cursor.execute(sql)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection, remove=True):
            cursor.execute(sql)


EXPECTED = {
    "sqlite": {"audit_no_update", "audit_no_delete"},
    "postgresql": {"audit_append_only", "audit_no_truncate"},
}


def missing(connection: BaseDatabaseWrapper) -> set[str]:
    """The append-only triggers this database lacks (a rebuilt SQLite table loses them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [TABLE],
            )
        present = {name for (name,) in cursor.fetchall()}
    return EXPECTED.get(connection.vendor, set()) - present


def set_maintenance(connection: BaseDatabaseWrapper, on: bool) -> None:
    """Let (or stop letting) this connection change audit rows. Tests only; see above."""
    connection.audit_maintenance = on  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [PG_SETTING, "on" if on else "off"])


def maintenance_by_default() -> None:
    """Every connection opened from now on in this process starts in maintenance mode.
    Called by the test suite's conftest, so that flushing a test database works."""
    global _maintenance_by_default
    _maintenance_by_default = True


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    connection.audit_maintenance = _maintenance_by_default  # type: ignore[attr-defined]
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "audit_maintenance", 0, lambda: bool(getattr(connection, "audit_maintenance", False))
        )
    elif connection.vendor == "postgresql" and _maintenance_by_default:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', false)", [PG_SETTING])
