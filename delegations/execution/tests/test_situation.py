"""Situation: figures per year, burn rate, forecast, committee window, movements list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from delegations.execution import mouvements
from delegations.execution.situation import (
    depenses,
    epuisement_prevu,
    repartition,
    situation_convention,
)

from .factories import D, TitulaireFactory, commande, mad, paiement, service_fait

pytestmark = pytest.mark.django_db


def test_situation_per_year_sums_the_journal(convention):
    mad(convention, annee=2024, ae="100000", cp="50000")
    eng = commande(convention, "30000")
    mouvements.reduire(eng, montant=D("5000"), date=dt.date(2024, 4, 1))
    paiement(service_fait(eng, "20000"), "15000")
    s = situation_convention(convention, dt.date(2024, 5, 1))
    a = {x["annee"]: x for x in s["annees"]}
    assert a[2024]["ae_engage"] == D("25000") and a[2024]["ae_restant"] == D("75000")
    assert a[2024]["cp_paye"] == D("15000") and a[2024]["cp_restant"] == D("35000")
    assert a[2025]["ae_prevu"] == D("200000") and a[2025]["ae_disponible"] == 0


def test_envelope_forecast_uses_the_burn_rate_of_the_last_three_months(convention):
    # Envelope: 400 000 € of AE over 2024–2026. 90 000 € certified over the last 3 months → 30 000 €/month.
    mad(convention, ae="100000", cp="80000")
    eng = commande(convention, "100000", date=dt.date(2024, 1, 20))
    service_fait(eng, "10000", date=dt.date(2024, 2, 1))  # older than three months: not in the rate
    for mois in (3, 4, 5):
        service_fait(eng, "30000", date=dt.date(2024, mois, 10))
    aujourd_hui = dt.date(2024, 5, 15)
    s = situation_convention(convention, aujourd_hui)
    assert s["rythme_mensuel"] == D("30000.00")
    # 300 000 € left at 30 000 €/month = 10 months, before the convention's end.
    attendu = aujourd_hui + dt.timedelta(days=round(10 * 30.4375))
    assert s["epuisement_prevu"] == attendu == epuisement_prevu(convention, aujourd_hui)
    assert s["fenetre_comite"] == {
        "debut": attendu - dt.timedelta(days=45),
        "fin": attendu - dt.timedelta(days=30),
    }


def test_no_exhaustion_is_foreseen_after_the_convention_s_end(convention):
    # 30 000 € certified over the last 3 months → 10 000 €/month: 360 000 € left would last
    # 36 months, past the end of 2026; the page says it will not run out before the end.
    mad(convention, ae="100000", cp="80000")
    eng = commande(convention, "100000", date=dt.date(2024, 1, 20))
    service_fait(eng, "10000", date=dt.date(2024, 2, 1))
    for mois in (3, 4, 5):
        service_fait(eng, "10000", date=dt.date(2024, mois, 10))
    s = situation_convention(convention, dt.date(2024, 5, 15))
    assert convention.date_fin_effective < dt.date(2027, 5, 1)
    assert s["epuisement_prevu"] is None
    assert s["epuisement_apres_fin"] is True
    assert s["fenetre_comite"] is None


def test_no_forecast_without_recent_consumption(convention):
    s = situation_convention(convention, dt.date(2024, 5, 1))
    assert (
        s["epuisement_prevu"] is None and s["fenetre_comite"] is None and s["rythme_mensuel"] == 0
    )


def test_depenses_lists_every_movement_with_the_public_keys(convention):
    from delegations.core.tests.factories import ProduitFactory

    produit = ProduitFactory(nom="Produit Alpha")
    convention.produits.add(produit)
    mad(convention)
    eng = commande(
        convention, "1000", produit=produit, titulaire=TitulaireFactory(nom="Société fictive")
    )
    sf = service_fait(eng, "500")
    paiement(sf, "500")
    mouvements.reduire(eng, montant=D("100"), date=dt.date(2024, 3, 2))
    mouvements.reporter(
        convention, annee=2024, ae=D("10"), cp=D("10"), date=dt.date(2024, 12, 20), reference="DEC"
    )
    lignes = depenses(convention)
    assert [d["nature"] for d in lignes] == [
        "mise_a_disposition",
        "engagement",
        "service_fait",
        "paiement",
        "reduction",
        "report",
    ]
    cles = {
        "date",
        "nature",
        "annee",
        "montant_ae",
        "montant_cp",
        "produit",
        "titulaire",
        "reference",
        "objet",
    }
    assert all(cles <= set(d) for d in lignes)
    eng_ligne = lignes[1]
    assert eng_ligne["montant_ae"] == D("1000") and eng_ligne["produit"] == "Produit Alpha"
    assert eng_ligne["titulaire"] == "Société fictive"
    assert lignes[3]["montant_cp"] == D("500") and lignes[4]["montant_ae"] == D("-100")


def test_breakdown_per_product_and_contractor(convention):
    mad(convention)
    t = TitulaireFactory(nom="Titulaire A")
    eng = commande(convention, "1000", titulaire=t)
    paiement(service_fait(eng, "400"), "300")
    commande(convention, "500")
    lignes = {d["nom"]: d for d in repartition(convention, "titulaire")}
    assert lignes["Titulaire A"]["engage"] == D("1000") and lignes["Titulaire A"]["paye"] == D(
        "300"
    )
    assert lignes["Titulaire A"]["taux_certifie"] == Decimal("40.0")
    assert lignes[None]["engage"] == D("500")
