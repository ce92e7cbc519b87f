"""Schedule lines (the caps) change only through the register's write path (issue 17, point 9):
raw SQL against them. PostgreSQL only (a PL/pgSQL trigger; SQLite has only the write path)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from delegations.conventions.ecriture import (
    creer_avenant,
    ecriture_echeancier,
    enregistrer_convention,
    signer_avenant,
)
from delegations.conventions.models import LigneAvenant, LigneEcheancier, Statut

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Garde de l'échéancier : déclencheur PostgreSQL seulement.")


def sql(requete: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(requete, params)


REFUS = "ne change que par avenant"


def test_raw_update_of_a_signed_convention_schedule_line_is_refused(convention):
    ligne = LigneEcheancier.objects.get(convention=convention, annee=2024)
    with pytest.raises(DatabaseError, match=REFUS):
        sql("UPDATE conventions_ligneecheancier SET ae = ae * 10 WHERE id = %s", [ligne.pk])
    assert LigneEcheancier.objects.get(pk=ligne.pk).ae == Decimal("100000.00")


def test_raw_insert_and_delete_of_a_signed_convention_schedule_line_are_refused(convention):
    with pytest.raises(DatabaseError, match=REFUS):
        sql(
            "INSERT INTO conventions_ligneecheancier (convention_id, annee, ae, cp) "
            "VALUES (%s, 2027, 1, 1)",
            [convention.pk],
        )
    with pytest.raises(DatabaseError, match=REFUS):
        sql("DELETE FROM conventions_ligneecheancier WHERE convention_id = %s", [convention.pk])
    assert LigneEcheancier.objects.filter(convention=convention).count() == 3


def test_draft_convention_writes_its_schedule_before_signature(convention):
    brouillon = enregistrer_convention(
        {
            "reference": "BROUILLON-ECH",
            "objet": "Brouillon",
            "delegant": convention.delegant,
            "delegataire": convention.delegataire,
            "statut": Statut.BROUILLON,
        },
        None,
        echeancier=[(2025, Decimal("10"), Decimal("5"))],
    )
    enregistrer_convention({}, None, brouillon, echeancier=[(2025, Decimal("20"), Decimal("5"))])
    sql("UPDATE conventions_ligneecheancier SET cp = 6 WHERE convention_id = %s", [brouillon.pk])
    assert list(brouillon.echeancier.values_list("ae", "cp")) == [(Decimal("20"), Decimal("6"))]


def test_setting_of_the_write_path_opens_the_schedule_for_its_block_only(convention):
    with ecriture_echeancier():
        sql(
            "UPDATE conventions_ligneecheancier SET cp = 1 WHERE convention_id = %s",
            [convention.pk],
        )
    with pytest.raises(DatabaseError, match=REFUS):
        sql(
            "UPDATE conventions_ligneecheancier SET cp = 2 WHERE convention_id = %s",
            [convention.pk],
        )
    assert set(
        LigneEcheancier.objects.filter(convention=convention).values_list("cp", flat=True)
    ) == {Decimal("1")}


def test_amendment_lines_change_while_draft_and_never_once_signed(convention, finance):
    avenant = creer_avenant(
        convention,
        finance,
        objet="Hausse 2025",
        date_signature=None,
        date_fin=None,
        lignes=[(2025, Decimal("250000"), Decimal("150000"))],
    )
    sql("UPDATE conventions_ligneavenant SET cp = 160000 WHERE avenant_id = %s", [avenant.pk])
    signer_avenant(avenant, finance, dt.date(2024, 6, 1))
    with pytest.raises(DatabaseError, match=REFUS):
        sql("UPDATE conventions_ligneavenant SET ae = 900000 WHERE avenant_id = %s", [avenant.pk])
    assert LigneAvenant.objects.get(avenant=avenant).ae == Decimal("250000.00")
