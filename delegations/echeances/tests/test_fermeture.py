"""Deadlines that close themselves (issue 18, point 8): a report marked as sent, the
publication, a mid-term committee held; « À faire » shows every overdue item first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from delegations.comites.models import Comite, Obligation, StatutObligation
from delegations.conventions.ecriture import appliquer_transition
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.echeances.calcul import TypeEcheance, calculer
from delegations.echeances.models import EcheanceStockee
from delegations.produits.models import PhaseHistorique
from delegations.rapports.models import Transmission

pytestmark = pytest.mark.django_db


def _cles(user: Any, type_: str, jour: dt.date) -> set[str]:
    return {e.cle for e in calculer(user, jour) if e.type == type_}


def test_a_monthly_report_marked_as_sent_leaves_a_faire(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(
            delegant=administration, delegataire=dinum, compte_rendu=["mensuel"]
        )
    cle = f"compte_rendu:{conv.pk}:2024-03"
    assert cle in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2024, 6, 1))
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Transmission.objects.create(
            convention=conv,
            nature="mensuel",
            periode=dt.date(2024, 3, 1),
            date_transmission=dt.date(2024, 4, 10),
        )
    assert cle not in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2024, 6, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()  # the stored table follows
    assert EcheanceStockee.objects.filter(cle=f"compte_rendu:{conv.pk}:2024-04").exists()


def test_the_final_report_marked_as_sent_leaves_a_faire(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
    cle = f"compte_rendu:{conv.pk}:terme"
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        Transmission.objects.create(
            convention=conv,
            nature="terme",
            periode=conv.date_fin_effective,
            date_transmission=dt.date(2027, 1, 20),
        )
    assert cle not in _cles(finance, TypeEcheance.COMPTE_RENDU, dt.date(2027, 1, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()


def test_publication_closes_the_publication_obligation(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
    obligation = Obligation.objects.get(convention=conv, code="publication")
    assert obligation.statut == StatutObligation.A_FAIRE
    cle = f"obligation:{obligation.pk}"
    assert EcheanceStockee.objects.filter(cle=cle).exists()
    with django_capture_on_commit_callbacks(execute=True):
        appliquer_transition(conv, "publier", finance, date_publication=dt.date(2024, 2, 1))
    obligation.refresh_from_db()
    assert obligation.statut == StatutObligation.FAITE
    assert cle not in _cles(finance, TypeEcheance.OBLIGATION, dt.date(2024, 6, 1))
    assert not EcheanceStockee.objects.filter(cle=cle).exists()


@time_machine.travel(dt.date(2026, 12, 20), tick=False)
def test_a_faire_shows_every_overdue_item_however_old_first(
    client: Any,
    finance: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conv = ConventionFactory(delegant=administration, delegataire=dinum)
        Obligation.objects.filter(convention=conv, code="manifeste").update(
            echeance=dt.date(2024, 1, 15)  # nearly three years overdue
        )
        conv.save()  # the stored deadlines follow the obligation's new date
    client.force_login(finance)
    page = client.get(reverse("echeances:tableau"))
    premiere = page.context["page_obj"].object_list[0][0]
    assert (premiere.date, premiere.cle, page.context["page_obj"].object_list[0][1]) == (
        dt.date(2024, 1, 15),
        f"obligation:{Obligation.objects.get(convention=conv, code='manifeste').pk}",
        "depassee",
    )
    reponse = client.get("/api/v1/echeances")
    assert reponse.json()["results"][0]["date"] == "2024-01-15"


def _mi_parcours(user: Any, jour: dt.date) -> list[tuple[dt.date, str]]:
    return sorted(
        (e.date, e.cle) for e in calculer(user, jour) if e.cle.startswith("comite:mi_parcours:")
    )


@time_machine.travel(dt.date(2024, 4, 1), tick=False)
def test_mid_term_committee_six_months_after_a_phase_starts_with_the_clause(
    finance: Any, administration: Any, dinum: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        produit = ProduitFactory()
        conv = ConventionFactory(delegant=administration, delegataire=dinum, produits=[produit])
        PhaseHistorique.objects.create(
            produit=produit, phase="construction", date_debut=dt.date(2024, 3, 1)
        )
    assert _mi_parcours(finance, dt.date(2024, 4, 1)) == []  # no clause, under the threshold
    with django_capture_on_commit_callbacks(execute=True):
        conv.comite_mi_parcours = True
        conv.save()
    cle = f"comite:mi_parcours:{produit.pk}:2024-03-01"
    assert _mi_parcours(finance, dt.date(2024, 4, 1)) == [(dt.date(2024, 9, 1), cle)]
    assert EcheanceStockee.objects.filter(cle=cle, produit=produit).exists()


@time_machine.travel(dt.date(2024, 4, 1), tick=False)
def test_mid_term_committee_above_the_missions_threshold_closes_once_held(
    settings: Any,
    finance: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SEUIL_MISSION = Decimal("300000")  # the factory's schedule totals 400 000 €
    with django_capture_on_commit_callbacks(execute=True):
        produit = ProduitFactory()
        ConventionFactory(delegant=administration, delegataire=dinum, produits=[produit])
        PhaseHistorique.objects.create(
            produit=produit, phase="construction", date_debut=dt.date(2024, 3, 1)
        )
    cle = f"comite:mi_parcours:{produit.pk}:2024-03-01"
    assert _mi_parcours(finance, dt.date(2024, 4, 1)) == [(dt.date(2024, 9, 1), cle)]
    with django_capture_on_commit_callbacks(execute=True):
        Comite.objects.create(produit=produit, date=dt.date(2024, 8, 28), type="mi_parcours")
    assert _mi_parcours(finance, dt.date(2024, 9, 1)) == []
    assert not EcheanceStockee.objects.filter(cle=cle).exists()
    with time_machine.travel(dt.date(2025, 1, 2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            PhaseHistorique.objects.create(
                produit=produit, phase="acceleration", date_debut=dt.date(2025, 1, 1)
            )
        assert _mi_parcours(finance, dt.date(2025, 1, 2)) == [
            (dt.date(2025, 7, 1), f"comite:mi_parcours:{produit.pk}:2025-01-01")
        ]
