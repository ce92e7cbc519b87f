"""The action log is append-only whatever the client (issue 17, point 9): raw SQL against it.
PostgreSQL only (PL/pgSQL triggers); the model refuses an update on every database."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from delegations.core.models import ActionLog, journaliser
from delegations.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sql(requete: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(requete, params)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "requete",
    [
        "UPDATE core_actionlog SET description = 'effacé' WHERE id = %s",
        "DELETE FROM core_actionlog WHERE id = %s",
    ],
)
def test_action_log_refuses_update_and_delete_in_sql(convention, requete):
    if connection.vendor != "postgresql":
        pytest.skip("Déclencheur PostgreSQL seulement.")
    entree = journaliser(convention, None, "essai", "Entrée d'historique")
    with pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"):
        sql(requete, [entree.pk])
    assert ActionLog.objects.get(pk=entree.pk).description == "Entrée d'historique"


@pytest.mark.postgres
def test_action_log_refuses_truncate_in_sql(convention):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE n'existe que sous PostgreSQL.")
    journaliser(convention, None, "essai", "Entrée d'historique")
    with pytest.raises(DatabaseError, match="ne se modifie ni ne se supprime"):
        sql("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE core_actionlog")
    assert ActionLog.objects.count() >= 1


def test_user_who_acted_is_not_deleted_their_log_rows_stay(convention):
    user = UserFactory(role="finance")
    journaliser(convention, user, "essai", "Action")
    with pytest.raises(ProtectedError):
        user.delete()
    assert ActionLog.objects.filter(user=user).count() == 1
