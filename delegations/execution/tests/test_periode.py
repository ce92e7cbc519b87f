"""The ledger rules of a convention's life: the period of effect covers orders, service fait and
payments; orders follow their framework contract; notice and its open orders; closing with the
restitution of unused credits. Each test is named after the rule it proves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from delegations.conventions.ecriture import appliquer_transition, creer_avenant
from delegations.conventions.models import Statut
from delegations.core.errors import RegleMetierError
from delegations.core.models import ActionLog
from delegations.execution import cloture, mouvements
from delegations.execution.models import DecisionFinCommande, Engagement, Reduction, Restitution
from delegations.execution.soldes import etat, soldes_par_annee

from .factories import D, MarcheFactory, commande, mad, paiement, ref, service_fait

pytestmark = pytest.mark.django_db


def _preavis(convention, finance, date=dt.date(2024, 2, 1)):
    """Notice given on ``date``: effective end three months later (2024-05-01)."""
    appliquer_transition(convention, "resilier", finance, date_preavis=date, partie="delegant")
    convention.refresh_from_db()
    return convention


# --- 3. the period of effect covers orders, service fait and payments ---------------------------


def test_service_fait_refused_after_the_effective_end(convention):
    mad(convention, annee=2026, ae="100000", cp="100000", date=dt.date(2026, 2, 1))
    bc = commande(convention, "1000", date=dt.date(2026, 3, 1))
    dernier_jour = service_fait(bc, "400", date=dt.date(2026, 12, 31))
    assert dernier_jour.pk is not None
    with pytest.raises(RegleMetierError) as exc:
        service_fait(bc, "100", date=dt.date(2027, 1, 1))
    assert exc.value.code == "service_fait_hors_periode"
    assert "31/12/2026" in exc.value.message


def test_payment_refused_after_the_effective_end(convention):
    mad(convention, annee=2026, ae="100000", cp="100000", date=dt.date(2026, 2, 1))
    sf = service_fait(commande(convention, "1000", date=dt.date(2026, 3, 1)), "1000")
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "1000", date=dt.date(2027, 1, 5))
    assert exc.value.code == "paiement_hors_periode"


def test_period_end_is_the_one_of_the_amendments_in_effect(convention, finance):
    creer_avenant(
        convention,
        finance,
        objet="Prolongation",
        date_signature=dt.date(2025, 6, 1),
        date_fin=dt.date(2027, 6, 30),
        lignes=[(2027, D("10000"), D("10000"))],
    )
    mad(convention, annee=2027, ae="10000", cp="10000", date=dt.date(2027, 1, 2))
    sf = service_fait(commande(convention, "1000", date=dt.date(2027, 1, 4)), "1000")
    assert paiement(sf, "1000", date=dt.date(2027, 6, 30)).pk is not None
    with pytest.raises(RegleMetierError) as exc:
        service_fait(
            commande(convention, "10", date=dt.date(2027, 6, 1)), "10", date=dt.date(2027, 7, 1)
        )
    assert exc.value.code == "service_fait_hors_periode"


def test_service_fait_and_payment_refused_after_the_end_of_the_notice(convention, finance):
    mad(convention)
    bc = commande(convention, "1000")
    sf = service_fait(bc, "500", date=dt.date(2024, 4, 30))
    _preavis(convention, finance)
    with pytest.raises(RegleMetierError) as exc:
        service_fait(bc, "100", date=dt.date(2024, 5, 2))
    assert exc.value.code == "service_fait_hors_periode"
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "500", date=dt.date(2024, 5, 2))
    assert exc.value.code == "paiement_hors_periode"
    assert paiement(sf, "500", date=dt.date(2024, 5, 1)).pk is not None


@override_settings(CLOTURE_MODE="bloquer")
def test_year_end_cut_off_still_refuses_a_payment_within_the_period(convention):
    mad(convention)
    sf = service_fait(commande(convention, "1000"), "1000")
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "1000", date=dt.date(2024, 12, 5))
    assert exc.value.code == "cloture_paiements"


def test_availability_refused_after_the_effective_end(convention, finance):
    _preavis(convention, finance)
    with pytest.raises(RegleMetierError) as exc:
        mad(convention, date=dt.date(2024, 5, 2))
    assert exc.value.code == "mise_a_disposition_hors_periode"


def test_availability_and_order_refused_after_terminer(convention, finance):
    mad(convention, ae="50000")
    appliquer_transition(convention, "terminer", finance)
    convention.refresh_from_db()
    with pytest.raises(RegleMetierError) as exc:
        mad(convention, ae="1000", cp="0", date=dt.date(2024, 3, 1))
    assert exc.value.code == "convention_terminee"
    assert exc.value.status_code == 409
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10")
    assert exc.value.code == "convention_terminee"


# --- 4. orders follow their framework contract --------------------------------------------------


@pytest.mark.parametrize("date", [dt.date(2024, 2, 29), dt.date(2024, 10, 1)])
def test_order_dated_outside_its_framework_contract_is_refused(convention, date):
    mad(convention)
    marche = MarcheFactory(date_debut=dt.date(2024, 3, 1), date_fin=dt.date(2024, 9, 30))
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", date=date, marche=marche)
    assert exc.value.code == "commande_hors_marche"
    assert marche.numero in exc.value.message


def test_order_whose_execution_ends_after_its_framework_contract_is_refused(convention):
    mad(convention)
    marche = MarcheFactory(date_debut=dt.date(2024, 1, 1), date_fin=dt.date(2024, 9, 30))
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", marche=marche, date_fin_execution=dt.date(2024, 10, 1))
    assert exc.value.code == "execution_hors_marche"
    assert not Engagement.objects.filter(convention=convention).exists()


def test_order_within_its_framework_contract_keeps_its_execution_end(convention):
    mad(convention)
    marche = MarcheFactory(date_debut=dt.date(2024, 1, 1), date_fin=dt.date(2024, 9, 30))
    bc = commande(convention, "10", marche=marche, date_fin_execution=dt.date(2024, 9, 30))
    assert Engagement.objects.get(pk=bc.pk).date_fin_execution == dt.date(2024, 9, 30)


def test_order_execution_end_before_its_date_is_refused(convention):
    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", date_fin_execution=dt.date(2024, 2, 1))
    assert exc.value.code == "periode_invalide"


# --- 5. notice: open orders at the effective end --------------------------------------------------


def test_open_orders_are_listed_at_the_effective_end_with_what_remains(convention, finance):
    mad(convention)
    ouverte = commande(convention, "1000")
    paiement(service_fait(ouverte, "600"), "400")
    soldee = commande(convention, "500")
    paiement(service_fait(soldee, "500", total=True, livrable_url="https://example.org/l"), "500")
    _preavis(convention, finance)
    lignes = cloture.commandes_ouvertes(convention)
    assert [(c.engagement.pk, c.reste_a_certifier, c.reste_a_payer) for c in lignes] == [
        (ouverte.pk, D("400.00"), D("200.00"))
    ]


def test_closing_an_open_order_reduces_its_remainder_by_a_new_movement(convention, finance):
    mad(convention)
    bc = commande(convention, "1000")
    service_fait(bc, "600")
    _preavis(convention, finance)
    suite = cloture.decider_suite(bc, decision="solder", date=dt.date(2024, 5, 2), user=finance)
    reduction = Reduction.objects.get(engagement=bc)
    assert (suite.reduction_id, reduction.montant) == (reduction.pk, D("400.00"))
    assert soldes_par_annee(convention)[2024].ae_engage == D("600.00")


def test_keeping_an_open_order_records_the_decision_without_a_movement(convention, finance):
    mad(convention)
    bc = commande(convention, "1000")
    _preavis(convention, finance)
    suite = cloture.decider_suite(bc, decision="maintenir", date=dt.date(2024, 4, 2), user=finance)
    assert suite.reduction is None
    assert not Reduction.objects.filter(engagement=bc).exists()
    with pytest.raises(RegleMetierError) as exc:
        cloture.decider_suite(bc, decision="solder", date=dt.date(2024, 4, 3))
    assert exc.value.code == "decision_deja_prise"


def test_open_orders_are_settled_only_at_the_end(convention):
    mad(convention)
    bc = commande(convention, "1000")
    with pytest.raises(RegleMetierError) as exc:
        cloture.decider_suite(bc, decision="solder", date=dt.date(2024, 4, 2))
    assert exc.value.code == "fin_non_atteinte"
    assert not DecisionFinCommande.objects.exists()


# --- 6. closing ------------------------------------------------------------------------------


def test_closing_refused_before_the_period_ends(convention, finance):
    with pytest.raises(RegleMetierError) as exc:
        cloture.cloturer(
            convention, date=dt.date(2026, 12, 2), decision="restitution", user=finance
        )
    assert exc.value.code == "periode_non_terminee"
    assert exc.value.status_code == 409
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE


def test_closing_refused_while_an_order_remains_open(convention, finance):
    mad(convention)
    commande(convention, "1000")
    _preavis(convention, finance)
    with pytest.raises(RegleMetierError) as exc:
        cloture.cloturer(convention, date=dt.date(2024, 6, 1), decision="restitution")
    assert exc.value.code == "commandes_ouvertes"
    assert not Restitution.objects.exists()


def test_closing_refused_while_a_service_fait_remains_unpaid(convention, finance):
    mad(convention)
    service_fait(
        commande(convention, "1000"), "1000", total=True, livrable_url="https://example.org/l"
    )
    _preavis(convention, finance)
    with pytest.raises(RegleMetierError) as exc:
        cloture.cloturer(convention, date=dt.date(2024, 6, 1), decision="restitution")
    assert exc.value.code == "paiements_en_attente"


def test_closing_records_the_restitution_of_each_years_unused_credits(convention, finance):
    mad(convention, ae="60000", cp="40000")
    bc = commande(convention, "10000")
    paiement(service_fait(bc, "10000", total=True, livrable_url="https://example.org/l"), "10000")
    _preavis(convention, finance)
    cloture.cloturer(
        convention, date=dt.date(2024, 6, 1), decision="restitution", reference="", user=finance
    )
    convention.refresh_from_db()
    assert convention.statut == Statut.CLOTUREE
    assert convention.date_cloture == dt.date(2024, 6, 1)
    restitution = Restitution.objects.get(convention=convention)
    assert (restitution.annee, restitution.ae, restitution.cp, restitution.decision) == (
        2024,
        D("50000.00"),
        D("30000.00"),
        "restitution",
    )
    solde = soldes_par_annee(convention)[2024]
    assert (solde.ae_restant, solde.cp_restant) == (D("0.00"), D("0.00"))
    bilan = {ligne.annee: ligne for ligne in cloture.bilan_final(convention)}
    assert (bilan[2024].ae_disponible, bilan[2024].ae_restitue) == (D("60000.00"), D("50000.00"))
    assert ActionLog.objects.filter(object_id=convention.pk, action="restitution").exists()


def test_use_decided_by_the_delegant_requires_its_reference(convention, finance):
    appliquer_transition(convention, "terminer", finance)
    with pytest.raises(RegleMetierError) as exc:
        cloture.cloturer(convention, date=dt.date(2024, 6, 1), decision="utilisation_decidee")
    assert exc.value.code == "reference_requise"
    with pytest.raises(RegleMetierError) as exc:
        cloture.cloturer(convention, date=dt.date(2024, 6, 1), decision="")
    assert exc.value.code == "decision_manquante"


def test_closing_after_terminer_keeps_the_delegants_decision(convention, finance):
    mad(convention, ae="1000", cp="1000")
    appliquer_transition(convention, "terminer", finance)
    cloture.cloturer(
        convention,
        date=dt.date(2026, 12, 2),
        decision="utilisation_decidee",
        reference="Décision DGEFP 2026-12",
    )
    restitution = Restitution.objects.get(convention=convention)
    assert (restitution.decision, restitution.reference) == (
        "utilisation_decidee",
        "Décision DGEFP 2026-12",
    )


@pytest.fixture
def cloturee(convention, finance):
    mad(convention, ae="60000", cp="40000")
    bc = commande(convention, "1000")
    sf = service_fait(bc, "1000", total=True, livrable_url="https://example.org/l")
    paiement(sf, "1000")
    _preavis(convention, finance)
    cloture.cloturer(convention, date=dt.date(2024, 6, 1), decision="restitution")
    convention.refresh_from_db()
    return convention, bc, sf


@pytest.mark.parametrize(
    "ecrire",
    [
        lambda c, bc, sf: mad(c, ae="1", cp="0", date=dt.date(2024, 3, 1)),
        lambda c, bc, sf: commande(c, "1", date=dt.date(2024, 3, 2)),
        lambda c, bc, sf: mouvements.certifier_service_fait(bc, montant=D("1"), date=bc.date),
        lambda c, bc, sf: mouvements.payer(sf, montant=D("1"), date=sf.date, reference=ref()),
        lambda c, bc, sf: mouvements.reporter(
            c, annee=2024, ae=D("1"), cp=D("0"), date=dt.date(2024, 4, 1), reference="R"
        ),
        lambda c, bc, sf: mouvements.reduire(bc, montant=D("1"), date=bc.date),
        lambda c, bc, sf: mouvements.informer_delegant(c, annee=2024, date=dt.date(2024, 4, 1)),
        lambda c, bc, sf: cloture.cloturer(c, date=dt.date(2024, 7, 1), decision="restitution"),
    ],
    ids=[
        "mise_a_disposition",
        "commande",
        "service_fait",
        "paiement",
        "report",
        "reduction",
        "information",
        "cloture",
    ],
)
def test_nothing_is_recorded_after_closing(cloturee, ecrire):
    convention, bc, sf = cloturee
    with pytest.raises(RegleMetierError) as exc:
        ecrire(convention, bc, sf)
    assert exc.value.code == "convention_cloturee"
    assert exc.value.status_code == 409


def test_no_amendment_after_closing(cloturee, finance):
    convention, _bc, _sf = cloturee
    with pytest.raises(RegleMetierError) as exc:
        creer_avenant(
            convention,
            finance,
            objet="Trop tard",
            date_signature=dt.date(2024, 7, 1),
            date_fin=None,
            lignes=[(2024, D("1"), D("1"))],
        )
    assert exc.value.code == "convention_cloturee"


def test_restitution_counts_the_same_in_both_readings_of_the_balance(cloturee):
    """One formula: the write path's reading (``etat``) and the situation's
    (``soldes_par_annee``) both subtract what was given back."""
    convention, _bc, _sf = cloturee
    sous_verrou = etat(convention.pk, 2024)
    situation = soldes_par_annee(convention)[2024]
    assert (sous_verrou.ae_disponible, sous_verrou.cp_disponible) == (
        situation.ae_disponible,
        situation.cp_disponible,
    )
    assert (situation.ae_restant, situation.cp_restant) == (D("0.00"), D("0.00"))
