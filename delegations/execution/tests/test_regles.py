"""Each money rule of the convention, named after the rule it proves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from delegations.conventions.ecriture import appliquer_transition, creer_avenant
from delegations.conventions.models import MotifSuspension, Statut
from delegations.core.errors import RegleMetierError
from delegations.core.models import historique
from delegations.execution import mouvements
from delegations.execution.models import Engagement, InformationDelegant
from delegations.execution.situation import situation_convention

from .factories import (
    D,
    MarcheFactory,
    TitulaireFactory,
    commande,
    mad,
    paiement,
    ref,
    service_fait,
)

pytestmark = pytest.mark.django_db


def texte(exc: pytest.ExceptionInfo[RegleMetierError]) -> str:
    """The refusal's message with ordinary spaces (French number formatting uses narrow ones)."""
    return exc.value.message.replace("\u202f", " ").replace("\xa0", " ")


# --- availability ---------------------------------------------------------------------------


def test_availability_refused_above_consolidated_schedule(convention):
    mad(convention, ae="60000", cp="40000")
    with pytest.raises(RegleMetierError) as r:
        mad(convention, ae="40000.01", cp="0")
    assert r.value.code == "mise_a_disposition_depasse_echeancier"
    assert "100 000,00" in texte(r) and "60 000,00" in texte(r)


def test_availability_follows_the_amended_schedule(convention, finance):
    creer_avenant(
        convention,
        finance,
        objet="Abondement",
        date_signature=dt.date(2024, 5, 1),
        date_fin=None,
        lignes=[(2024, D("150000"), D("80000"))],
    )
    mad(convention, ae="150000", cp="80000")
    with pytest.raises(RegleMetierError) as exc:
        mad(convention, ae="0.01", cp="0")
    assert exc.value.code == "mise_a_disposition_depasse_echeancier"


def test_availability_refused_on_a_draft_convention(convention):
    convention.statut = Statut.BROUILLON
    convention.save()
    with pytest.raises(RegleMetierError) as exc:
        mad(convention)
    assert exc.value.code == "convention_brouillon"


# --- orders ---------------------------------------------------------------------------------


def test_commitment_refused_when_ae_exhausted(convention):
    mad(convention, ae="20500", cp="0.01")
    commande(convention, "12000")
    with pytest.raises(RegleMetierError) as r:
        commande(convention, "12000")
    assert r.value.code == "credits_insuffisants"
    assert "12 000,00 € demandés" in texte(r)
    assert "8 500,00 € d'AE disponibles pour 2024" in texte(r)
    assert convention.reference in texte(r)
    commande(convention, "8500")  # exactly what is left is accepted, to the cent


def test_commitment_refused_without_any_availability(convention):
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "1")
    assert exc.value.code == "credits_insuffisants"


def test_commitment_refused_above_the_schedule_when_an_amendment_lowers_it(convention, finance):
    mad(convention, ae="100000", cp="10")
    creer_avenant(
        convention,
        finance,
        objet="Réduction",
        date_signature=dt.date(2024, 2, 1),
        date_fin=None,
        lignes=[(2024, D("50000"), D("10"))],
    )
    with pytest.raises(RegleMetierError) as r:
        commande(convention, "60000")
    assert r.value.code == "ae_hors_echeancier"
    assert "50 000,00" in texte(r)


def test_commitment_refused_before_the_convention_takes_effect(convention):
    mad(convention)
    with pytest.raises(RegleMetierError) as r:
        commande(convention, "10", date=dt.date(2024, 1, 10))
    assert r.value.code == "convention_pas_en_vigueur"
    assert "15/01/2024" in texte(r)


def test_commitment_refused_after_the_convention_ends(convention):
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", date=dt.date(2027, 1, 4))
    assert exc.value.code == "commande_hors_periode"


@pytest.mark.parametrize(
    "transition, code", [("suspendre", "convention_suspendue"), ("terminer", "convention_terminee")]
)
def test_commitment_refused_when_convention_suspended_or_ended(
    convention, finance, transition, code
):
    mad(convention)
    appliquer_transition(convention, transition, finance)
    convention.refresh_from_db()
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10")
    assert exc.value.code == code


def test_order_allowed_during_notice_refused_after_its_effective_end(convention, finance):
    mad(convention)
    appliquer_transition(
        convention, "resilier", finance, date_preavis=dt.date(2024, 2, 1), partie="delegant"
    )
    convention.refresh_from_db()
    pendant = commande(convention, "10", date=dt.date(2024, 5, 1))
    assert pendant.pk is not None
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", date=dt.date(2024, 5, 2))
    assert exc.value.code == "commande_hors_periode"


def test_commitment_uses_the_credits_of_its_own_year(convention):
    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        mouvements.engager(
            convention, annee=2025, montant=D("10"), date=dt.date(2024, 3, 1), reference=ref()
        )
    assert exc.value.code == "annee_incoherente"


def test_commitment_reference_is_unique(convention):
    mad(convention)
    commande(convention, "10", reference="EJ-UNIQUE")
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", reference="EJ-UNIQUE")
    assert exc.value.code == "reference_existante"


def test_commitment_product_must_be_funded_by_the_convention(convention):
    from delegations.core.tests.factories import ProduitFactory

    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", produit=ProduitFactory())
    assert exc.value.code == "produit_hors_convention"


def test_commitment_contractor_must_hold_the_framework_contract(convention):
    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", titulaire=TitulaireFactory(), marche=MarcheFactory())
    assert exc.value.code == "titulaire_hors_marche"


def test_amounts_must_be_positive_with_two_decimals(convention):
    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "0")
    assert exc.value.code == "montant_invalide"
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10.001")
    assert exc.value.code == "montant_invalide"


# --- year-end cut-offs ----------------------------------------------------------------------


def test_order_after_cutoff_requires_a_justification_in_warning_mode(convention, settings):
    settings.CLOTURE_MODE = "avertir"
    mad(convention)
    with pytest.raises(RegleMetierError) as r:
        commande(convention, "10", date=dt.date(2024, 12, 13))
    assert r.value.code == "cloture_engagements_justification"
    assert "12/12/2024" in texte(r)
    eng = commande(
        convention,
        "10",
        date=dt.date(2024, 12, 13),
        justification="Urgence validée par le directeur",
    )
    assert eng.justification
    commande(convention, "10", date=dt.date(2024, 12, 12))  # the cut-off day itself is still open


def test_order_after_cutoff_is_blocked_in_blocking_mode(convention, settings):
    settings.CLOTURE_MODE = "bloquer"
    settings.CLOTURE_ENGAGEMENTS = (1, 12)
    mad(convention)
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10", date=dt.date(2024, 12, 2), justification="peu importe")
    assert exc.value.code == "cloture_engagements"


def test_payment_after_cutoff_requires_a_justification_or_is_blocked(convention, settings):
    settings.CLOTURE_MODE = "avertir"
    mad(convention)
    sf = service_fait(commande(convention, "100"), "100")
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "10", date=dt.date(2024, 12, 1))
    assert exc.value.code == "cloture_paiements_justification"
    paiement(sf, "10", date=dt.date(2024, 12, 1), justification="Facture arrivée en retard")
    settings.CLOTURE_MODE = "bloquer"
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "10", date=dt.date(2024, 12, 1), justification="x")
    assert exc.value.code == "cloture_paiements"


# --- service fait ---------------------------------------------------------------------------


def test_service_fait_refused_above_the_order_net_of_reductions(convention):
    mad(convention)
    eng = commande(convention, "10000")
    mouvements.reduire(eng, montant=D("2000"), date=dt.date(2024, 3, 2))
    service_fait(eng, "5000")
    with pytest.raises(RegleMetierError) as r:
        service_fait(eng, "3000.01")
    assert r.value.code == "service_fait_depasse_commande"
    assert "2 999,99" not in texte(r) and "3 000,00" in texte(r)
    service_fait(eng, "3000")


def test_total_service_fait_requires_a_deliverable(convention):
    mad(convention)
    eng = commande(convention, "1000")
    with pytest.raises(RegleMetierError) as exc:
        service_fait(eng, "1000", total=True)
    assert exc.value.code == "livrable_requis"
    service_fait(eng, "1000", total=True, livrable=SimpleUploadedFile("pv.pdf", b"%PDF-1.4 fictif"))


def test_total_service_fait_closes_the_order(convention):
    mad(convention)
    eng = commande(convention, "1000")
    service_fait(eng, "400", total=True, livrable_url="https://exemple.gouv.fr/livrable")
    with pytest.raises(RegleMetierError) as exc:
        service_fait(eng, "100")
    assert exc.value.code == "commande_soldee"


def test_service_fait_cannot_precede_the_order(convention):
    mad(convention)
    eng = commande(convention, "1000")
    with pytest.raises(RegleMetierError) as exc:
        service_fait(eng, "100", date=dt.date(2024, 2, 1))
    assert exc.value.code == "date_anterieure"


# --- payments -------------------------------------------------------------------------------


def test_payment_refused_above_the_service_fait(convention):
    mad(convention)
    sf = service_fait(commande(convention, "1000"), "600")
    paiement(sf, "500")
    with pytest.raises(RegleMetierError) as exc:
        paiement(sf, "100.01")
    assert exc.value.code == "paiement_depasse_service_fait"
    paiement(sf, "100")


def test_payment_refused_when_cp_available_are_exhausted(convention):
    mad(convention, ae="100000", cp="1000")
    sf = service_fait(commande(convention, "5000"), "5000")
    paiement(sf, "800")
    with pytest.raises(RegleMetierError) as r:
        paiement(sf, "300")
    assert r.value.code == "credits_insuffisants"
    assert "200,00 € de CP disponibles pour 2024" in texte(r)


def test_payment_consumes_cp_of_the_payment_year(convention):
    mad(convention, annee=2024, ae="1000", cp="1")
    mad(convention, annee=2025, ae="1", cp="1000")
    sf = service_fait(commande(convention, "1000"), "1000")
    p = paiement(sf, "1000", date=dt.date(2025, 1, 20))
    assert p.annee == 2025


# --- carry-over and reductions --------------------------------------------------------------


def test_carry_over_makes_unused_credits_available_next_year(convention):
    mad(convention, annee=2024, ae="100000", cp="80000")
    commande(convention, "70000")
    mouvements.reporter(
        convention,
        annee=2024,
        ae=D("30000"),
        cp=D("10000"),
        date=dt.date(2024, 12, 20),
        reference="DECISION-2024-12",
    )
    lignes = {
        a["annee"]: a for a in situation_convention(convention, dt.date(2025, 1, 10))["annees"]
    }
    assert lignes[2024]["ae_disponible"] == D("70000") and lignes[2024]["ae_restant"] == 0
    assert lignes[2025]["ae_disponible"] == D("30000")
    commande(convention, "30000", date=dt.date(2025, 1, 10))
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "0.01", date=dt.date(2025, 1, 10))
    assert exc.value.code == "credits_insuffisants"


def test_carry_over_refused_above_what_is_unused(convention):
    mad(convention)
    commande(convention, "90000")
    with pytest.raises(RegleMetierError) as exc:
        mouvements.reporter(
            convention,
            annee=2024,
            ae=D("10000.01"),
            cp=D("0"),
            date=dt.date(2024, 12, 20),
            reference="D-1",
        )
    assert exc.value.code == "report_depasse_reste"
    with pytest.raises(RegleMetierError) as exc:
        mouvements.reporter(
            convention, annee=2024, ae=D("1"), cp=D("0"), date=dt.date(2024, 12, 20), reference=""
        )
    assert exc.value.code == "reference_requise"


def test_reduction_frees_ae_of_the_order_year(convention):
    mad(convention, ae="10000", cp="1")
    eng = commande(convention, "10000")
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "4000")
    assert exc.value.code == "credits_insuffisants"
    mouvements.reduire(eng, montant=D("4000"), date=dt.date(2024, 4, 1), motif="Moins de jours")
    commande(convention, "4000")


def test_reduction_refused_above_the_uncertified_remainder(convention):
    mad(convention)
    eng = commande(convention, "10000")
    service_fait(eng, "7000")
    with pytest.raises(RegleMetierError) as exc:
        mouvements.reduire(eng, montant=D("3000.01"), date=dt.date(2024, 4, 1))
    assert exc.value.code == "reduction_depasse_reste"


# --- credits short: the délégant is informed ------------------------------------------------


def test_informing_the_delegant_records_a_dated_event_and_may_suspend(convention, finance):
    mad(convention, ae="100", cp="1")
    info = mouvements.informer_delegant(
        convention,
        annee=2024,
        date=dt.date(2024, 6, 1),
        montant_demande=D("5000"),
        commentaire="Courriel au délégant",
        suspendre=True,
        user=finance,
    )
    convention.refresh_from_db()
    assert convention.statut == Statut.SUSPENDUE
    assert info.montant_disponible == D("100")
    assert InformationDelegant.objects.count() == 1
    assert historique(convention).filter(action="credits_insuffisants").exists()
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10")
    assert exc.value.code == "convention_suspendue"
    # Finance may also resume by hand, before any new credit.
    appliquer_transition(convention, "reprendre", finance)
    mad(convention, ae="5000", cp="0")
    commande(convention, "5000")
    assert Engagement.objects.count() == 1


def _suspendre_faute_de_credits(convention, finance):
    mouvements.informer_delegant(
        convention, annee=2024, date=dt.date(2024, 6, 1), suspendre=True, user=finance
    )
    convention.refresh_from_db()
    assert convention.statut == Statut.SUSPENDUE
    assert convention.motif_suspension == MotifSuspension.CREDITS_INSUFFISANTS


def _avenant_de_hausse(convention, finance):
    creer_avenant(
        convention,
        finance,
        objet="Hausse des crédits 2024",
        date_signature=dt.date(2024, 6, 10),
        date_fin=None,
        lignes=[(2024, D("150000"), D("80000"))],
    )


def test_execution_resumes_by_itself_after_new_availability_when_suspended_for_lack_of_credits(
    convention, finance
):
    mad(convention, ae="100", cp="1")
    _suspendre_faute_de_credits(convention, finance)
    mad(convention, ae="5000", cp="0", reference="MAD-REPRISE")
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    assert convention.motif_suspension == ""
    reprise = historique(convention).filter(action="reprendre").get()
    assert "MAD-REPRISE" in reprise.changes["motif"]
    commande(convention, "5000")


def test_execution_resumes_by_itself_after_an_amendment_when_suspended_for_lack_of_credits(
    convention, finance
):
    mad(convention, ae="100", cp="1")
    _suspendre_faute_de_credits(convention, finance)
    _avenant_de_hausse(convention, finance)
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    reprise = historique(convention).filter(action="reprendre").get()
    assert reprise.user == finance and "avenant n° 1" in reprise.changes["motif"]


def test_a_suspension_for_another_reason_is_not_lifted_by_new_credits(convention, finance):
    mad(convention, ae="100", cp="1")
    appliquer_transition(
        convention, "suspendre", finance, motif="crédits insuffisants — délégant informé"
    )
    mad(convention, ae="5000", cp="0")
    _avenant_de_hausse(convention, finance)
    convention.refresh_from_db()
    # The reason is a code, not the words of the motif: typed by hand, they lift nothing.
    assert convention.statut == Statut.SUSPENDUE
    assert convention.motif_suspension == MotifSuspension.AUTRE
    with pytest.raises(RegleMetierError) as exc:
        commande(convention, "10")
    assert exc.value.code == "convention_suspendue"
