"""Stored deadlines equal a full recomputation after every kind of change (property test), and
the rebuilding command gives the same table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delegations.comites.ecriture import enregistrer_obligation, retirer_obligation
from delegations.comites.models import Comite, Obligation, StatutObligation
from delegations.conventions.ecriture import (
    appliquer_transition,
    creer_avenant,
    ecriture_echeancier,
)
from delegations.conventions.models import Convention, LigneEcheancier
from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.echeances import stockage
from delegations.echeances.calcul import Echeance, calculer
from delegations.echeances.models import EcheanceStockee
from delegations.execution.tests import factories as ex
from delegations.produits.models import PhaseHistorique, Produit
from delegations.rapports.models import Transmission

pytestmark = pytest.mark.django_db

AUJOURD_HUI = dt.date(2025, 6, 15)
STATUTS = ["brouillon", "signee", "publiee", "suspendue", "resiliee", "terminee"]
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31))


def _cle(e: Echeance | EcheanceStockee) -> tuple[Any, ...]:
    return (
        e.date,
        e.debut,
        str(e.type),
        e.libelle,
        e.cle,
        e.url,
        e.convention_id,
        e.convention_reference,
        e.produit_id,
        e.produit_nom,
        tuple(e.contacts),
    )


def _stockees(qs: Any) -> list[tuple[Any, ...]]:
    return sorted((_cle(e) for e in qs), key=repr)


def _calculees(user: Any) -> list[tuple[Any, ...]]:
    return sorted((_cle(e) for e in calculer(user, AUJOURD_HUI)), key=repr)


operation = st.one_of(
    st.tuples(
        st.just("convention"),
        dates,
        st.sampled_from([[], ["mensuel"], ["terme"], ["mensuel", "terme"]]),
        st.sampled_from(STATUTS),
        st.booleans(),
    ),
    st.tuples(st.just("statut"), st.integers(0, 50), st.sampled_from(STATUTS)),
    st.tuples(st.just("fin"), st.integers(0, 50), dates),
    st.tuples(st.just("echeancier"), st.integers(0, 50), st.integers(2024, 2027)),
    st.tuples(st.just("avenant"), st.integers(0, 50), dates),
    st.tuples(st.just("mouvement"), st.integers(0, 50), st.integers(1, 400)),
    st.tuples(st.just("comite_mission"), st.integers(0, 50), dates),
    st.tuples(st.just("comite_produit"), st.integers(0, 50), dates),
    st.tuples(st.just("obligation"), st.integers(0, 50), st.sampled_from(["faite", "retirer"])),
    st.tuples(st.just("financer"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("arret"), st.integers(0, 50), dates),
    st.tuples(
        st.just("transmis"), st.integers(0, 50), dates, st.sampled_from(["mensuel", "terme"])
    ),
    st.tuples(st.just("publier"), st.integers(0, 50), dates),
    st.tuples(st.just("clause_mi_parcours"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("comite_mi_parcours"), st.integers(0, 50), dates),
    st.tuples(
        st.just("phase"),
        st.integers(0, 50),
        dates,
        st.sampled_from(["construction", "acceleration"]),
    ),
)


def _une(modele: Any, i: int) -> Any:
    objets = list(modele.objects.order_by("pk"))
    return objets[i % len(objets)] if objets else None


def _appliquer(op: tuple[Any, ...], finance: Any, administration: Any, dinum: Any) -> None:
    nom, i, *args = op
    if nom == "convention":
        date_fin, compte_rendu, statut, produit = i, *args
        conv = ConventionFactory(
            delegant=administration,
            delegataire=dinum,
            date_fin=max(date_fin, dt.date(2024, 2, 1)),
            compte_rendu=compte_rendu,
            statut=statut,
        )
        if produit:
            conv.produits.add(ProduitFactory(intrapreneur_email="porteur@example.org"))
        return
    conv = _une(Convention, i)
    if conv is None:
        return
    if nom == "statut":
        conv.statut = args[0]
        conv.save()
    elif nom == "fin":
        conv.date_fin = max(args[0], dt.date(2024, 2, 1))
        conv.save()
    elif nom == "echeancier":
        with ecriture_echeancier():  # a schedule line saved directly (the guard opened)
            LigneEcheancier.objects.update_or_create(
                convention=conv,
                annee=args[0],
                defaults={"ae": Decimal("900000"), "cp": Decimal("0")},
            )
    elif nom == "avenant":
        try:
            creer_avenant(
                conv,
                finance,
                objet="Prolongation",
                date_signature=None,
                date_fin=max(args[0], dt.date(2024, 2, 1)),
                lignes=[],
            )
        except RegleMetierError:
            pass
    elif nom == "mouvement":
        try:
            ex.mad(conv, annee=2025, ae="300000", cp="300000", date=dt.date(2025, 1, 2))
            ex.commande(conv, montant=str(args[0] * 500), date=dt.date(2025, 5, 2))
        except RegleMetierError:
            pass
    elif nom == "comite_mission":
        Comite.objects.create(convention=conv, date=args[0], type="interministeriel")
    elif nom == "comite_produit":
        produit = _une(Produit, i)
        if produit is not None:
            Comite.objects.create(produit=produit, date=args[0], type="produit")
    elif nom == "obligation":
        obligation = _une(Obligation, i)
        if obligation is None:
            return
        if args[0] == "retirer":
            retirer_obligation(obligation, finance)
        else:
            obligation.statut = StatutObligation.FAITE
            enregistrer_obligation(obligation, finance, {"statut": "faite"})
    elif nom == "financer":
        if args[0]:
            conv.produits.add(ProduitFactory())
        else:
            conv.produits.clear()
    elif nom == "transmis":
        date, nature = args
        periode = date.replace(day=1) if nature == "mensuel" else conv.date_fin_effective
        if periode is not None:
            Transmission.objects.get_or_create(
                convention=conv,
                nature=nature,
                periode=periode,
                defaults={"date_transmission": date},
            )
    elif nom == "publier":
        try:
            appliquer_transition(conv, "publier", finance, date_publication=args[0])
        except RegleMetierError:
            pass
    elif nom == "clause_mi_parcours":
        conv.comite_mi_parcours = args[0]
        conv.save()
    elif nom == "comite_mi_parcours":
        produit = _une(Produit, i)
        if produit is not None:
            Comite.objects.create(produit=produit, date=args[0], type="mi_parcours")
    elif nom == "phase":
        produit = _une(Produit, i)
        if produit is not None:
            PhaseHistorique.objects.get_or_create(
                produit=produit, phase=args[1], date_debut=min(args[0], AUJOURD_HUI)
            )
    elif nom == "arret":
        produit = _une(Produit, i)
        if produit is not None:
            PhaseHistorique.objects.get_or_create(
                produit=produit, phase="arret", date_debut=args[0]
            )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=8))
def test_stored_deadlines_equal_a_full_recomputation_after_every_change(
    operations: list[tuple[Any, ...]],
    finance: Any,
    agent: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.SEUIL_MISSION = Decimal("500000")
    with time_machine.travel(AUJOURD_HUI, tick=False):
        for op in operations:
            with django_capture_on_commit_callbacks(execute=True):  # the change commits
                _appliquer(op, finance, administration, dinum)
            assert _stockees(EcheanceStockee.objects.all()) == _calculees(finance), op
            # The délégant's perimeter: the same deadlines of their conventions, and the
            # committees of the same products.
            vues = stockage.visibles_par(agent)
            calculees = calculer(agent, AUJOURD_HUI)
            assert _stockees(vues.filter(produit__isnull=True)) == sorted(
                (_cle(e) for e in calculees if e.produit_id is None), key=repr
            )
            assert {e.produit_id for e in vues.filter(produit__isnull=False)} == {
                e.produit_id for e in calculees if e.produit_id is not None
            }


def test_rebuild_command_gives_the_table_the_changes_gave(
    finance: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(AUJOURD_HUI, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            ConventionFactory(produits=[ProduitFactory()])
        avant = _stockees(EcheanceStockee.objects.all())
        EcheanceStockee.objects.all().delete()
        call_command("echeances", "--recalculer", stdout=open("/dev/null", "w"))
        assert avant and _stockees(EcheanceStockee.objects.all()) == avant


def test_a_write_is_seen_by_its_author_before_the_commit(api: Any, finance: Any) -> None:
    conv = ConventionFactory(reference="VUE-AVANT-COMMIT")
    reponse = api(finance).get(f"/api/v1/echeances?convention={conv.pk}&type=fin_convention")
    assert [e["convention_reference"] for e in reponse.json()["results"]] == ["VUE-AVANT-COMMIT"]


def test_nightly_rebuild_runs_the_same_queries_for_3_and_30_conventions(
    settings: Any, administration: Any, dinum: Any
) -> None:
    """The rebuild reads conventions, schedules, committees, obligations, products and the
    execution forecast in batches: no query per convention (10 000 in a national register)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SEUIL_MISSION = Decimal("1")  # every convention holds a mission committee

    def creer(n: int) -> None:
        for _ in range(n):
            ConventionFactory(
                delegant=administration,
                delegataire=dinum,
                produits=[ProduitFactory()],
                compte_rendu=["mensuel"],
            )

    def compter() -> int:
        with time_machine.travel(AUJOURD_HUI, tick=False):
            with CaptureQueriesContext(connection) as ctx:
                stockage.recalculer_tout()
        # Rows are written by bulk inserts (batched by SQLite's parameter limit): the reads
        # are what must not grow.
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith("INSERT"))

    creer(3)
    trois = compter()
    creer(27)
    assert compter() == trois
    assert EcheanceStockee.objects.filter(type="comite", produit__isnull=True).count() == 30
