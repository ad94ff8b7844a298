from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from dashboard.audit.models import SUCCESS, AuditRecord
from dashboard.audit.trail import Actor, record
from dashboard.audit.verify import verify

WRITERS = 6
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    record(Actor(None, f"writer{n}"), "cancel", [f"s{n}-{i}"], outcome=SUCCESS)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditRecord.objects.count() == WRITERS * EACH
    report = verify()
    assert (report.broken_id, report.count) == (None, WRITERS * EACH)
    # No fork: every hash but the head is some record's predecessor exactly once.
    prevs = list(AuditRecord.objects.values_list("prev_hash", flat=True))
    assert len(set(prevs)) == len(prevs)
