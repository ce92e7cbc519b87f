"""Each deadline rule, with time frozen at chosen dates (month ends, leap years, notice across a year)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from delegations.comites.models import Comite, StatutObligation
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.echeances.calcul import Echeance, TypeEcheance, calculer, gravite
from delegations.produits.models import PhaseHistorique

pytestmark = pytest.mark.django_db


def _du_type(echeances: list[Echeance], type_: str) -> list[dt.date]:
    return [e.date for e in echeances if e.type == type_]


def test_severity_boundaries() -> None:
    jour = dt.date(2024, 2, 29)
    assert gravite(dt.date(2024, 2, 28), jour) == "depassee"
    assert gravite(jour, jour) == "proche"
    assert gravite(dt.date(2024, 3, 30), jour) == "proche"  # 30 days later
    assert gravite(dt.date(2024, 3, 31), jour) == "plus_tard"


def test_notice_deadline_crosses_the_year(finance: Any, administration: Any, dinum: Any) -> None:
    conv = ConventionFactory(
        delegant=administration, delegataire=dinum, date_fin=dt.date(2026, 1, 31), preavis_mois=3
    )
    with time_machine.travel(dt.date(2025, 10, 15), tick=False):
        (preavis,) = [e for e in calculer(finance) if e.type == TypeEcheance.PREAVIS]
        assert preavis.date == dt.date(2025, 10, 31) and preavis.convention_id == conv.pk
        assert preavis.gravite(dt.date.today()) == "proche"
    with time_machine.travel(dt.date(2025, 11, 1), tick=False):
        assert [e.gravite(dt.date.today()) for e in calculer(finance, types=["preavis"])] == [
            "depassee"
        ]


def test_notice_deadline_on_a_leap_day(finance: Any, convention: Any) -> None:
    convention.date_fin = dt.date(2024, 5, 31)
    convention.save()
    assert _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.PREAVIS) == [
        dt.date(2024, 2, 29)
    ]


def test_no_notice_deadline_once_notice_is_given(finance: Any, convention: Any) -> None:
    from delegations.conventions.ecriture import appliquer_transition

    appliquer_transition(
        convention, "resilier", finance, date_preavis=dt.date(2025, 3, 1), partie="delegant"
    )
    echeances = calculer(finance, dt.date(2025, 3, 2))
    assert _du_type(echeances, TypeEcheance.PREAVIS) == []
    assert _du_type(echeances, TypeEcheance.FIN_CONVENTION) == [
        dt.date(2025, 6, 1)
    ]  # notice + 3 months


def test_end_of_convention_follows_amendments(finance: Any, convention: Any) -> None:
    from delegations.conventions.ecriture import creer_avenant

    creer_avenant(
        convention,
        finance,
        objet="Prolongation",
        date_signature=dt.date(2024, 6, 1),
        date_fin=dt.date(2027, 6, 30),
        lignes=[],
    )
    assert _du_type(calculer(finance, dt.date(2025, 1, 1)), TypeEcheance.FIN_CONVENTION) == [
        dt.date(2027, 6, 30)
    ]


def test_year_end_cutoffs_for_each_year_in_force(
    finance: Any, administration: Any, dinum: Any
) -> None:
    ConventionFactory(delegant=administration, delegataire=dinum, date_fin=dt.date(2025, 12, 1))
    echeances = calculer(finance, dt.date(2024, 6, 1))
    assert _du_type(echeances, TypeEcheance.CLOTURE_ENGAGEMENTS) == [
        dt.date(2024, 12, 12)
    ]  # 2025-12-12 after the end
    assert _du_type(echeances, TypeEcheance.CLOTURE_PAIEMENTS) == [
        dt.date(2024, 11, 30),
        dt.date(2025, 11, 30),
    ]


def test_cutoff_setting_is_clamped_to_the_month_end(
    settings: Any, finance: Any, convention: Any
) -> None:
    settings.CLOTURE_PAIEMENTS = (29, 2)
    assert _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.CLOTURE_PAIEMENTS) == [
        dt.date(2024, 2, 29),
        dt.date(2025, 2, 28),
        dt.date(2026, 2, 28),
    ]


def test_monthly_reports_fall_on_month_ends_and_at_the_term(
    finance: Any, administration: Any, dinum: Any
) -> None:
    ConventionFactory(
        delegant=administration,
        delegataire=dinum,
        date_signature=dt.date(2024, 1, 15),
        date_fin=dt.date(2024, 4, 10),
        compte_rendu=["mensuel", "terme"],
    )
    assert _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.COMPTE_RENDU) == [
        dt.date(2024, 1, 31),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 10),
    ]


def test_report_only_at_the_term_by_default(finance: Any, convention: Any) -> None:
    assert _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.COMPTE_RENDU) == [
        dt.date(2026, 12, 31)
    ]


def test_product_committee_six_months_after_the_last_one(finance: Any, convention: Any) -> None:
    produit = ProduitFactory()
    convention.produits.add(produit)
    assert _du_type(calculer(finance, dt.date(2024, 3, 1)), TypeEcheance.COMITE) == [
        dt.date(2024, 7, 15)
    ]
    Comite.objects.create(produit=produit, date=dt.date(2025, 8, 31), type="produit")
    (comite,) = [e for e in calculer(finance, dt.date(2025, 9, 1)) if e.type == TypeEcheance.COMITE]
    assert comite.date == dt.date(2026, 2, 28) and comite.produit_id == produit.pk
    PhaseHistorique.objects.create(produit=produit, phase="arret", date_debut=dt.date(2025, 9, 1))
    with time_machine.travel(dt.date(2025, 9, 2), tick=False):
        assert _du_type(calculer(finance), TypeEcheance.COMITE) == []


def test_mission_committee_window_uses_the_execution_forecast(
    monkeypatch: Any, settings: Any, finance: Any, convention: Any
) -> None:
    from delegations.execution import situation

    settings.SEUIL_MISSION = Decimal("100000")
    monkeypatch.setattr(
        situation,
        "epuisements_prevus",
        lambda convs, aujourd_hui=None: {c.pk: dt.date(2025, 6, 30) for c in convs},
        raising=False,
    )
    (mission,) = [
        e for e in calculer(finance, dt.date(2025, 1, 1)) if e.type == TypeEcheance.COMITE
    ]
    assert (mission.debut, mission.date) == (dt.date(2025, 5, 16), dt.date(2025, 5, 31))
    Comite.objects.create(convention=convention, date=dt.date(2025, 5, 20), type="interministeriel")
    assert _du_type(calculer(finance, dt.date(2025, 5, 21)), TypeEcheance.COMITE) == []


def test_mission_window_falls_back_on_the_end_date(
    monkeypatch: Any, finance: Any, convention: Any
) -> None:
    from delegations.execution import situation

    Comite.objects.create(convention=convention, date=dt.date(2024, 2, 1), type="interministeriel")
    monkeypatch.setattr(
        situation,
        "epuisements_prevus",
        lambda convs, aujourd_hui=None: dict.fromkeys((c.pk for c in convs), None),
        raising=False,
    )
    (mission,) = [
        e for e in calculer(finance, dt.date(2025, 1, 1)) if e.type == TypeEcheance.COMITE
    ]
    assert (mission.debut, mission.date) == (dt.date(2026, 11, 16), dt.date(2026, 12, 1))
    monkeypatch.delattr(situation, "epuisements_prevus", raising=False)  # helper absent
    (mission,) = [
        e for e in calculer(finance, dt.date(2025, 1, 1)) if e.type == TypeEcheance.COMITE
    ]
    assert mission.date == dt.date(2026, 12, 1)


def test_obligation_due_dates_until_done(finance: Any, convention: Any) -> None:
    echeances = _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.OBLIGATION)
    assert dt.date(2024, 2, 15) in echeances  # intrapreneur named one month after taking effect
    convention.obligations.update(statut=StatutObligation.FAITE)
    assert _du_type(calculer(finance, dt.date(2024, 1, 1)), TypeEcheance.OBLIGATION) == []


def test_drafts_and_finished_conventions_have_no_deadlines(
    finance: Any, administration: Any, dinum: Any
) -> None:
    ConventionFactory(delegant=administration, delegataire=dinum, statut="brouillon")
    ConventionFactory(delegant=administration, delegataire=dinum, statut="terminee")
    assert calculer(finance, dt.date(2024, 6, 1)) == []


def test_deadlines_are_sorted_and_filtered(
    finance: Any, convention: Any, administration: Any, dinum: Any
) -> None:
    autre = ConventionFactory(delegant=administration, delegataire=dinum)
    echeances = calculer(finance, dt.date(2024, 1, 1))
    assert [e.date for e in echeances] == sorted(e.date for e in echeances)
    filtrees = calculer(
        finance,
        dt.date(2024, 1, 1),
        convention=autre.pk,
        types=["fin_convention"],
        du=dt.date(2026, 1, 1),
        au=dt.date(2026, 12, 31),
    )
    assert [(e.convention_id, e.type) for e in filtrees] == [(autre.pk, "fin_convention")]
