"""The journal is append-only: refused by the model, the queryset and, on PostgreSQL, a trigger."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from delegations.execution.models import Engagement, JournalImmuableError, MiseADisposition

from .factories import commande, mad

pytestmark = pytest.mark.django_db


def test_journal_row_cannot_be_updated_through_the_model(convention):
    m = mad(convention)
    m.reference = "autre"
    with pytest.raises(JournalImmuableError):
        m.save()


def test_journal_row_cannot_be_deleted_through_the_model(convention):
    m = mad(convention)
    with pytest.raises(JournalImmuableError):
        m.delete()


def test_journal_queryset_refuses_update_and_delete(convention):
    mad(convention)
    commande(convention, "10")
    with pytest.raises(JournalImmuableError):
        Engagement.objects.all().update(montant=1)
    with pytest.raises(JournalImmuableError):
        MiseADisposition.objects.filter(convention=convention).delete()
    assert Engagement.objects.count() == 1


@pytest.mark.postgres
def test_journal_trigger_refuses_update_and_delete_in_sql(convention):
    if connection.vendor != "postgresql":
        pytest.skip("Le déclencheur d'immuabilité n'existe que sous PostgreSQL.")
    m = mad(convention)
    for sql in (
        "UPDATE execution_miseadisposition SET ae = 0 WHERE id = %s",
        "DELETE FROM execution_miseadisposition WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"),
            transaction.atomic(),
        ):
            with connection.cursor() as cursor:
                cursor.execute(sql, [m.pk])
    assert MiseADisposition.objects.filter(pk=m.pk, ae=m.ae).exists()
