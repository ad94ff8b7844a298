from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dashboard.audit import triggers
from tests.audit.conftest import add

pytestmark = pytest.mark.django_db


def _behind_the_triggers_back(sql: str, params: list[str | int]) -> None:
    """Change rows as someone with the database file would: triggers dropped, then back."""
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        triggers.install(connection)


def test_an_intact_chain_passes_with_its_count(capsys):
    for _ in range(5):
        add()
    call_command("verify_audit")
    assert "OK: 5 records, chain intact" in capsys.readouterr().out


def test_an_empty_trail_passes(capsys):
    call_command("verify_audit")
    assert "OK: 0 records" in capsys.readouterr().out


def test_an_altered_record_is_named_as_the_first_broken_link(append_only):
    entries = [add(reason=f"r{i}") for i in range(5)]
    _behind_the_triggers_back(
        "UPDATE audit_auditrecord SET reason = 'nothing to see' WHERE id = %s", [entries[2].pk]
    )
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    message = str(caught.value)
    assert f"record #{entries[2].pk}'s content does not match its hash" in message
    assert "after 2 good records" in message


def test_a_removed_record_is_named_by_its_successor(append_only):
    entries = [add() for _ in range(4)]
    _behind_the_triggers_back("DELETE FROM audit_auditrecord WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    message = str(caught.value)
    assert f"record #{entries[2].pk} names previous hash {entries[1].hash}" in message
    assert f"record #{entries[0].pk} ends the chain at {entries[0].hash}" in message


def test_a_rehashed_record_still_breaks_the_next_link(append_only):
    # A forger who recomputes the altered record's own hash still breaks its successor.
    from dashboard.audit.chain import Content, content_hash
    from dashboard.audit.models import AuditRecord

    entries = [add() for _ in range(3)]
    row = AuditRecord.objects.get(pk=entries[1].pk)
    forged = Content(
        row.created_at, "mallory", row.client_ip, row.action, row.targets, row.reason,
        row.outcome, row.provider_message, row.request_id,
    )  # fmt: skip
    new_hash = content_hash(forged, row.prev_hash)
    _behind_the_triggers_back(
        "UPDATE audit_auditrecord SET actor_username = 'mallory', hash = %s WHERE id = %s",
        [new_hash, row.pk],
    )
    with pytest.raises(CommandError, match=f"record #{entries[2].pk} names previous hash"):
        call_command("verify_audit")


def test_missing_triggers_are_reported_even_when_the_chain_is_intact():
    add()
    triggers.remove(connection)
    try:
        with pytest.raises(CommandError, match=r"append-only triggers .* are missing") as caught:
            call_command("verify_audit")
    finally:
        triggers.install(connection)
    assert caught.value.returncode == 2
    call_command("verify_audit")
