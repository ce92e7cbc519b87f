"""The database guards the money whatever the client (issue 17, point 9): raw SQL against the
journal. PostgreSQL only: SQLite has no statement triggers (TRUNCATE does not exist there) and
the order's rules live in PL/pgSQL; the Python write path guards SQLite."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from delegations.conventions.models import Convention, Statut
from delegations.core.tests.factories import ProduitFactory
from delegations.execution import limites
from delegations.execution.models import Engagement, MiseADisposition

from .factories import commande, mad

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

JOURNAL = (
    "execution_miseadisposition",
    "execution_engagement",
    "execution_servicefait",
    "execution_paiement",
    "execution_report",
    "execution_reduction",
    "execution_informationdelegant",
    "execution_propositionservicefait",
    "execution_rejetproposition",
)

INSERER = (
    "INSERT INTO execution_engagement (convention_id, annee, date, created_at, reference, objet, "
    "montant, produit_id, justification) VALUES (%s, %s, %s, %s, %s, '', %s, %s, '')"
)


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Gardes de la base : PostgreSQL seulement (déclencheurs PL/pgSQL ; "
            "sous SQLite, le chemin d'écriture Python garde le journal)."
        )


def inserer(convention, montant: str, reference: str, produit=None, date=dt.date(2024, 3, 1)):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            INSERER,
            [
                convention.pk,
                date.year,
                date,
                timezone.now(),
                reference,
                Decimal(montant),
                produit.pk if produit else None,
            ],
        )


@pytest.mark.parametrize("table", JOURNAL)
def test_truncate_of_a_journal_table_is_refused_by_the_database(convention, table):
    mad(convention)
    with (
        pytest.raises(DatabaseError, match="ne se vide pas"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # The test's transaction holds deferred foreign-key checks: run them first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {table} CASCADE")  # noqa: S608 (constant names)
    assert MiseADisposition.objects.filter(convention=convention).count() == 1


def test_raw_insert_of_an_order_above_available_credits_is_refused_by_the_database(convention):
    mad(convention, ae="1000", cp="1")
    commande(convention, "600")
    with pytest.raises(IntegrityError, match="credits_insuffisants"):
        inserer(convention, "400.01", "EJ-SQL-1")
    assert not Engagement.objects.filter(reference="EJ-SQL-1").exists()


def test_raw_insert_of_an_order_on_a_suspended_convention_is_refused_by_the_database(convention):
    mad(convention, ae="1000", cp="1")
    Convention.objects.filter(pk=convention.pk).update(statut=Statut.SUSPENDUE)
    with pytest.raises(IntegrityError, match="convention_suspendue"):
        inserer(convention, "10", "EJ-SQL-2")


def test_raw_insert_of_an_order_on_a_convention_not_in_force_is_refused_by_the_database(
    convention,
):
    mad(convention, ae="1000", cp="1")
    with pytest.raises(IntegrityError, match="convention_pas_en_vigueur"):
        inserer(convention, "10", "EJ-SQL-3", date=dt.date(2024, 1, 1))


def test_raw_insert_of_an_order_on_a_stopped_product_is_refused_by_the_database(convention):
    produit = ProduitFactory()
    convention.produits.add(produit)
    mad(convention, ae="1000", cp="1")
    limites.fixer_limite(
        7,
        produit,
        libelle="Arrêt — comité du 01/02/2024",
        date_debut=dt.date(2024, 2, 1),
        arret=True,
    )
    with pytest.raises(IntegrityError, match="produit_arrete"):
        inserer(convention, "10", "EJ-SQL-4", produit=produit)


def test_raw_insert_of_an_order_above_the_committee_amount_is_refused_by_the_database(
    convention,
):
    produit = ProduitFactory()
    convention.produits.add(produit)
    mad(convention, ae="1000", cp="1")
    limites.fixer_limite(
        8,
        produit,
        libelle="Poursuite — comité du 01/02/2024",
        date_debut=dt.date(2024, 2, 1),
        date_fin=dt.date(2024, 7, 31),
        montant=Decimal("100"),
    )
    inserer(convention, "100", "EJ-SQL-5", produit=produit)
    with pytest.raises(IntegrityError, match="montant_accorde_depasse"):
        inserer(convention, "0.01", "EJ-SQL-6", produit=produit)


def test_raw_insert_of_an_order_within_the_caps_is_accepted_by_the_database(convention):
    mad(convention, ae="1000", cp="1")
    inserer(convention, "1000", "EJ-SQL-7")
    assert Engagement.objects.get(reference="EJ-SQL-7").montant == Decimal("1000")


def test_bulk_loader_turns_the_order_check_off_for_its_block_only(convention):
    from delegations.execution.gardes import sans_controle_des_commandes

    mad(convention, ae="1000", cp="1")
    with sans_controle_des_commandes():
        inserer(convention, "5000", "EJ-SQL-CHARGE")
    with pytest.raises(IntegrityError, match="credits_insuffisants"):
        inserer(convention, "1", "EJ-SQL-APRES")
    assert Engagement.objects.filter(reference="EJ-SQL-CHARGE").exists()
