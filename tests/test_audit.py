"""Audit entries are append-only: through the ORM everywhere, and in the database on PostgreSQL."""

import pytest
from django.db import DatabaseError, NotSupportedError, connection, transaction

from assessments.models import AuditEntry

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists only on PostgreSQL (production); SQLite has none",
)


@pytest.fixture
def entry():
    return AuditEntry.objects.create(action=AuditEntry.Action.VIEWED, screen_reference="CG-TEST")


def test_entries_can_be_added(entry):
    AuditEntry.objects.create(action=AuditEntry.Action.EXPORTED, details={"rows": 3})
    assert AuditEntry.objects.count() == 2


def test_bulk_updates_are_refused(entry):
    with pytest.raises(NotSupportedError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(screen_reference="CG-OTHER")
    entry.refresh_from_db()
    assert entry.screen_reference == "CG-TEST"


def test_bulk_deletes_are_refused(entry):
    with pytest.raises(NotSupportedError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def _run(sql, params):
    # A savepoint, so the failed statement does not abort the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@on_postgresql
def test_postgresql_refuses_a_raw_update(entry):
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        _run(
            "UPDATE assessments_auditentry SET screen_reference = %s WHERE id = %s",
            ["CG-OTHER", entry.pk],
        )
    entry.refresh_from_db()
    assert entry.screen_reference == "CG-TEST"


@on_postgresql
def test_postgresql_refuses_a_raw_delete(entry):
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        _run("DELETE FROM assessments_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@on_postgresql
def test_postgresql_refuses_saving_or_deleting_one_entry(entry):
    entry.screen_reference = "CG-OTHER"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()
    entry.refresh_from_db()
    assert entry.screen_reference == "CG-TEST"
