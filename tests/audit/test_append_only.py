"""The triggers refuse UPDATE and DELETE on SQLite and on PostgreSQL (run this file with
DATABASE_URL=postgres://… for the latter)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from dashboard.audit.models import AuditRecord
from tests.audit.conftest import add

pytestmark = pytest.mark.django_db


def test_orm_update_is_refused(append_only):
    entry = add(reason="original")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).update(reason="rewritten")
    assert AuditRecord.objects.get(pk=entry.pk).reason == "original"


def test_raw_sql_update_is_refused(append_only):
    entry = add(reason="original")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditrecord SET outcome = 'failed' WHERE id = %s", [entry.pk])
    assert AuditRecord.objects.get(pk=entry.pk).outcome == "success"


def test_setting_another_actor_id_is_refused(append_only, django_user_model):
    entry = add()
    other = django_user_model.objects.create(username="mallory")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).update(actor_id=other.pk)


def test_delete_is_refused(append_only):
    entry = add()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditRecord.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditrecord")
    assert AuditRecord.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db(transaction=True)  # a TRUNCATE after an insert needs it committed
def test_truncate_is_refused_on_postgresql(append_only):
    add()
    if connection.vendor != "postgresql":
        # SQLite has no TRUNCATE: an unqualified DELETE is its form, refused above.
        assert connection.vendor == "sqlite"
        return
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditrecord")
    assert AuditRecord.objects.count() == 1


def test_admin_offers_no_add_change_or_delete(admin_client):
    entry = add()
    assert admin_client.get("/admin/audit/auditrecord/").status_code == 200
    assert admin_client.get("/admin/audit/auditrecord/add/").status_code == 403
    page = admin_client.get(f"/admin/audit/auditrecord/{entry.pk}/change/")
    assert page.status_code == 200  # the view-only form
    assert b'name="_save"' not in page.content
    assert admin_client.post(f"/admin/audit/auditrecord/{entry.pk}/delete/").status_code == 403
    assert AuditRecord.objects.filter(pk=entry.pk).exists()


def test_the_sqlite_trigger_freezes_every_column_but_actor_id():
    # A column added later and missing here could be rewritten on SQLite (PostgreSQL's
    # trigger compares whole rows): add it, and reinstall the triggers in its migration.
    from dashboard.audit import triggers

    columns = {field.column for field in AuditRecord._meta.concrete_fields}
    assert set(triggers.FROZEN_COLUMNS) == columns - {"actor_id"}
