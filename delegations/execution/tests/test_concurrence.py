"""On PostgreSQL, simultaneous orders on the same convention and year never exceed the cap."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.execution import limites, mouvements
from delegations.execution.models import Engagement, Paiement

from .factories import commande, mad, service_fait

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 24


def _en_parallele(fonction, n: int = N) -> tuple[list, list]:
    depart = threading.Barrier(n)
    acceptes, refuses = [], []
    verrou = threading.Lock()

    def tache(i: int) -> None:
        try:
            depart.wait()
            try:
                resultat = fonction(i)
            except RegleMetierError as exc:
                with verrou:
                    refuses.append(exc.code)
            else:
                with verrou:
                    acceptes.append(resultat)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tache, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return acceptes, refuses


def _exiger_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Test de concurrence : il faut PostgreSQL (DATABASE_URL=postgres://…) ; SQLite sérialise déjà."
        )


def test_concurrent_orders_never_exceed_available_ae_to_the_cent(convention):
    _exiger_postgres()
    mad(convention, ae="10000.05", cp="1")
    # 24 requests of 1 000,01 € for 10 000,05 €: exactly 9 fit (9 000,09 €), the 10th would exceed.
    acceptes, refuses = _en_parallele(
        lambda i: mouvements.engager(
            convention,
            montant=Decimal("1000.01"),
            date=dt.date(2024, 3, 1),
            reference=f"EJ-CONC-{i:03d}",
            objet="Concurrence",
        )
    )
    total = Engagement.objects.filter(convention=convention, annee=2024).aggregate(
        s=Sum("montant")
    )["s"]
    assert len(acceptes) == 9
    assert total == Decimal("9000.09") <= Decimal("10000.05")
    assert set(refuses) == {"credits_insuffisants"} and len(refuses) == N - 9


def test_concurrent_payments_never_exceed_available_cp(convention):
    _exiger_postgres()
    mad(convention, ae="100000", cp="5000")
    sf = service_fait(commande(convention, "50000"), "50000")
    acceptes, refuses = _en_parallele(
        lambda i: mouvements.payer(
            sf, montant=Decimal("700"), date=dt.date(2024, 6, 1), reference=f"FAC-{i}"
        )
    )
    total = Paiement.objects.filter(convention=convention).aggregate(s=Sum("montant"))["s"]
    assert len(acceptes) == 7 and total == Decimal("4900.00")
    assert set(refuses) == {"credits_insuffisants"} and len(refuses) == N - 7


def test_concurrent_orders_on_many_conventions_never_exceed_the_committee_granted_amount(
    administration, dinum
):
    """A committee's cap binds the product's orders on every convention: writers on as many
    conventions (as many budget lines, no shared lock) are serialised by the lock of the
    product's limit."""
    _exiger_postgres()
    produit = ProduitFactory()
    conventions = [
        ConventionFactory(produits=[produit], delegant=administration, delegataire=dinum)
        for _ in range(N)
    ]
    for c in conventions:
        mad(c, ae="100000", cp="1")
    limites.fixer_limite(
        1,
        produit,
        libelle="Poursuite — comité du 01/03/2024",
        date_debut=dt.date(2024, 3, 1),
        date_fin=dt.date(2024, 8, 31),
        montant=Decimal("5000.04"),
    )
    # 24 requests of 1 000,01 € for 5 000,04 €: exactly 4 fit (4 000,04 €), the 5th would exceed.
    acceptes, refuses = _en_parallele(
        lambda i: mouvements.engager(
            conventions[i],
            montant=Decimal("1000.01"),
            date=dt.date(2024, 4, 1),
            reference=f"EJ-COMITE-{i:03d}",
            produit=produit,
        )
    )
    total = Engagement.objects.filter(produit=produit).aggregate(s=Sum("montant"))["s"]
    assert len(acceptes) == 4
    assert total == Decimal("4000.04")
    assert set(refuses) == {"montant_accorde_depasse"}
    assert len(refuses) == N - 4
