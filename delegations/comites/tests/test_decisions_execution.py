"""Committee decisions bind execution (issue 18, point 7): a finalised stop refuses the product's
orders, a granted amount caps them for the period, a change of phase moves the product's phase.
Run on SQLite (Python rules) and on PostgreSQL (the database function)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from delegations.comites.ecriture import corriger, enregistrer_releve, finaliser
from delegations.comites.tests.factories import IndicateurFactory, ReleveFactory
from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.execution import mouvements
from delegations.execution.models import LimiteProduit
from delegations.execution.tests.factories import commande, mad

pytestmark = pytest.mark.django_db

D = Decimal
COMITE = dt.date(2024, 3, 1)


def decider(
    produit: Any,
    user: Any,
    decision: str,
    *,
    date: dt.date = COMITE,
    montant: str = "0",
    periode: int | None = 6,
    phase: str = "",
) -> Any:
    releve = ReleveFactory(
        comite__produit=produit,
        comite__date=date,
        decision=decision,
        montant_accorde=D(montant),
        periode_mois=periode,
        phase_decidee=phase,
    )
    IndicateurFactory(releve=releve)
    finaliser(releve.comite, user)
    return releve.comite


@pytest.fixture
def produit() -> Any:
    return ProduitFactory()


@pytest.fixture
def financee(produit: Any) -> Any:
    """A signed convention funding the product, with 100 000 € of AE made available in 2024."""
    convention = ConventionFactory(produits=[produit])
    mad(convention, ae="100000", cp="1")
    return convention


def test_finalised_stop_decision_refuses_orders_charged_to_the_product_from_its_date(
    finance: Any, produit: Any, financee: Any
) -> None:
    avant = commande(financee, "1000", date=COMITE - dt.timedelta(days=1), produit=produit)
    decider(produit, finance, "arret", periode=None)
    with pytest.raises(RegleMetierError) as refus:
        commande(financee, "1000", date=COMITE, produit=produit)
    assert refus.value.code == "produit_arrete"
    assert "arrêt du produit" in refus.value.message
    assert avant.pk is not None
    # Orders of the convention charged to no product, or to another one, are not bound.
    autre = ProduitFactory()
    financee.produits.add(autre)
    assert commande(financee, "1000", date=COMITE, produit=autre).montant == D("1000")
    assert commande(financee, "1000", date=COMITE).montant == D("1000")


def test_draft_stop_decision_does_not_bind_orders(
    finance: Any, produit: Any, financee: Any
) -> None:
    releve = ReleveFactory(comite__produit=produit, comite__date=COMITE, decision="arret")
    assert releve.statut == "brouillon"
    assert commande(financee, "1000", date=COMITE, produit=produit).pk is not None


def test_granted_amount_caps_the_product_orders_for_the_period_across_conventions(
    finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "poursuite", montant="50000", periode=6)
    autre_convention = ConventionFactory(
        produits=[produit], delegant=financee.delegant, delegataire=financee.delegataire
    )
    mad(autre_convention, ae="100000", cp="1")
    commande(financee, "30000", date=COMITE, produit=produit)
    commande(autre_convention, "20000", date=dt.date(2024, 8, 31), produit=produit)
    with pytest.raises(RegleMetierError) as refus:
        commande(financee, "0.01", date=dt.date(2024, 5, 1), produit=produit)
    assert refus.value.code == "montant_accorde_depasse"
    assert "0,00 € restent sur les 50 000,00 € accordés" in refus.value.message.replace(
        "\u202f", " "
    ).replace("\xa0", " ")
    # The period (6 months from 1 March: until 31 August) is over: no committee cap.
    assert commande(financee, "25000", date=dt.date(2024, 9, 1), produit=produit).pk


def test_orders_before_the_committee_do_not_count_against_the_granted_amount(
    finance: Any, produit: Any, financee: Any
) -> None:
    commande(financee, "40000", date=dt.date(2024, 2, 20), produit=produit)
    decider(produit, finance, "provisoire", montant="10000", periode=2)
    assert commande(financee, "10000", date=COMITE, produit=produit).pk
    with pytest.raises(RegleMetierError) as refus:
        commande(financee, "1", date=COMITE, produit=produit)
    assert refus.value.code == "montant_accorde_depasse"


def test_reduction_of_an_order_frees_the_granted_amount(
    finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "poursuite", montant="10000", periode=6)
    premiere = commande(financee, "10000", date=COMITE, produit=produit)
    mouvements.reduire(premiere, montant=D("4000"), date=dt.date(2024, 4, 1))
    assert commande(financee, "4000", date=dt.date(2024, 4, 2), produit=produit).pk
    with pytest.raises(RegleMetierError) as refus:
        commande(financee, "1", date=dt.date(2024, 4, 2), produit=produit)
    assert refus.value.code == "montant_accorde_depasse"


def test_later_committee_decision_supersedes_the_earlier_one(
    finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "arret", periode=None)
    decider(produit, finance, "poursuite", date=dt.date(2024, 5, 1), montant="5000", periode=6)
    with pytest.raises(RegleMetierError) as arret:
        commande(financee, "100", date=dt.date(2024, 4, 30), produit=produit)
    assert arret.value.code == "produit_arrete"
    assert commande(financee, "5000", date=dt.date(2024, 5, 1), produit=produit).pk
    with pytest.raises(RegleMetierError) as plafond:
        commande(financee, "1", date=dt.date(2024, 5, 2), produit=produit)
    assert plafond.value.code == "montant_accorde_depasse"


def test_next_committee_cuts_the_period_of_the_previous_granted_amount(
    finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "poursuite", montant="10000", periode=12)
    decider(produit, finance, "poursuite", date=dt.date(2024, 6, 1), montant="3000", periode=6)
    # Orders from June count against the new decision only.
    commande(financee, "3000", date=dt.date(2024, 6, 1), produit=produit)
    assert commande(financee, "10000", date=dt.date(2024, 5, 31), produit=produit).pk
    with pytest.raises(RegleMetierError) as refus:
        commande(financee, "1", date=dt.date(2024, 6, 2), produit=produit)
    assert refus.value.code == "montant_accorde_depasse"


def test_corrected_record_replaces_the_committee_limit(
    finance: Any, produit: Any, financee: Any
) -> None:
    comite = decider(produit, finance, "poursuite", montant="1000", periode=6)
    corriger(comite, finance)
    enregistrer_releve(comite, finance, {"montant_accorde": D("20000")})
    finaliser(comite, finance)
    assert LimiteProduit.objects.get(origine=comite.pk).montant == D("20000")
    assert commande(financee, "20000", date=COMITE, produit=produit).pk


def test_change_of_phase_decision_moves_the_product_phase(finance: Any, produit: Any) -> None:
    decider(produit, finance, "changement_phase", montant="80000", periode=6, phase="acceleration")
    phases = [(p.phase, p.date_debut) for p in produit.phases.all()]
    assert ("acceleration", COMITE) in phases
    assert not LimiteProduit.objects.filter(produit=produit).exists()


def test_order_form_shows_what_the_committee_still_allows(
    client: Any, finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "poursuite", montant="50000", periode=6)
    commande(financee, "12000", date=COMITE, produit=produit)
    client.force_login(finance)
    page = client.get(
        reverse("execution:engagement_creer", args=[financee.pk]), {"date": "2024-04-01"}
    ).content.decode()
    texte = page.replace("\u202f", " ").replace("\xa0", " ")
    assert "38 000,00 € restent sur les 50 000,00 € accordés" in texte
    assert produit.nom in texte


def test_api_order_refused_by_a_stop_decision_carries_its_code(
    api: Any, finance: Any, produit: Any, financee: Any
) -> None:
    decider(produit, finance, "arret", periode=None)
    reponse = api(finance).post(
        "/api/v1/engagements/",
        {
            "convention": financee.pk,
            "reference": "EJ-API-ARRET",
            "date": "2024-04-01",
            "objet": "Développement",
            "montant": "100.00",
            "produit": produit.pk,
        },
        format="json",
    )
    assert reponse.status_code in (400, 409)
    assert reponse.json()["code"] == "produit_arrete"
