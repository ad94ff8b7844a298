from __future__ import annotations

import pytest
from django.test import Client

from dashboard.audit.models import AuditRecord
from dashboard.saved_views.models import SavedView
from tests.accounts.test_url_roles import providers  # noqa: F401  (a scripted Wavix)
from tests.verifications.conftest import user_with_role


@pytest.fixture
def alice(db):
    return user_with_role("alice", "viewer")


@pytest.fixture
def bob(db):
    """Alice's teammate."""
    return user_with_role("bob", "viewer")


@pytest.fixture
def carol(db):
    """An auditor: may open the audit list and the clients feed."""
    return user_with_role("carol", "auditor")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def saved(
    owner, name: str, query: str = "status=failed", list_name: str = "sessions", shared=False
):
    return SavedView.objects.create(
        owner=owner, list_name=list_name, name=name, query=query, shared=shared
    )


def audit_actions() -> list[str]:
    return list(AuditRecord.objects.order_by("id").values_list("action", flat=True))
