"""The end of a convention on its pages, in the API and in the final report: open orders at
the effective end, closing with the restitution of unused credits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from delegations.conventions.ecriture import appliquer_transition
from delegations.conventions.models import Statut
from delegations.core.tests.factories import ConventionFactory, UserFactory
from delegations.execution import cloture
from delegations.execution.models import DecisionFinCommande, Engagement, Reduction, Restitution

from .factories import D, MarcheFactory, commande, mad, paiement, service_fait

pytestmark = pytest.mark.django_db


@pytest.fixture
def en_fin(convention, finance):
    """Credits made available, one order partly certified and paid, notice given on
    2024-02-01: the effective end (2024-05-01) is past."""
    mad(convention, ae="60000", cp="40000")
    bc = commande(convention, "1000")
    paiement(service_fait(bc, "600"), "600")
    appliquer_transition(
        convention, "resilier", finance, date_preavis=dt.date(2024, 2, 1), partie="delegataire"
    )
    convention.refresh_from_db()
    return convention, bc


# --- pages ----------------------------------------------------------------------------------


def _panneau(convention):
    """The execution section of the convention page (loaded on demand), on its own page."""
    return reverse("conventions:section", args=[convention.pk, "execution"])


def test_convention_page_lists_open_orders_at_the_effective_end_and_offers_closing(
    en_fin, finance, client
):
    convention, bc = en_fin
    client.force_login(finance)
    page = client.get(_panneau(convention)).content.decode()
    assert "Bons de commande ouverts à la fin effective" in page
    assert bc.reference in page
    assert reverse("execution:suite_commande", args=[bc.pk, "solder"]) in page
    assert reverse("execution:cloturer", args=[convention.pk]) in page
    detail = client.get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    assert "par le délégataire" in detail


def test_convention_in_force_shows_no_end_section(convention, finance, client):
    client.force_login(finance)
    page = client.get(_panneau(convention)).content.decode()
    assert "Exécution des crédits" in page
    assert "Fin de la convention" not in page


def test_solder_page_asks_for_confirmation_then_reduces_the_remainder(en_fin, finance, client):
    convention, bc = en_fin
    client.force_login(finance)
    url = reverse("execution:suite_commande", args=[bc.pk, "solder"])
    page = client.get(url).content.decode()
    assert "Confirmer" in page
    assert "sera réduit par un nouveau mouvement" in page
    assert not Reduction.objects.exists()
    reponse = client.post(url, {"date": "2024-05-02", "motif": "Fin des services associés"})
    assert reponse.status_code == 302
    assert Reduction.objects.get(engagement=bc).montant == D("400.00")
    assert DecisionFinCommande.objects.get(engagement=bc).decision == "solder"


def test_closing_page_shows_the_final_balance_and_closes_on_confirmation(en_fin, finance, client):
    convention, bc = en_fin
    cloture.decider_suite(bc, decision="solder", date=dt.date(2024, 5, 2))
    client.force_login(finance)
    url = reverse("execution:cloturer", args=[convention.pk])
    page = client.get(url).content.decode()
    assert "Bilan final par année" in page
    assert "Confirmer la clôture" in page
    reponse = client.post(
        url, {"date": "2024-06-01", "decision": "restitution", "reference": "Courrier 12"}
    )
    assert reponse.status_code == 302
    convention.refresh_from_db()
    assert convention.statut == Statut.CLOTUREE
    restitution = Restitution.objects.get(convention=convention)
    assert (restitution.ae, restitution.cp) == (D("59400.00"), D("39400.00"))
    page = client.get(_panneau(convention)).content.decode()
    assert "Convention clôturée le" in page


def test_closing_page_shows_the_refusal_in_french(en_fin, finance, client):
    convention, _bc = en_fin
    client.force_login(finance)
    reponse = client.post(
        reverse("execution:cloturer", args=[convention.pk]),
        {"date": "2024-06-01", "decision": "restitution"},
    )
    assert reponse.status_code == 200
    assert "restent ouverts" in reponse.content.decode()
    convention.refresh_from_db()
    assert convention.statut == Statut.RESILIEE


@pytest.mark.parametrize("persona, attendu", [("agent", 403), ("intrapreneur", 404)])
def test_closing_and_order_settling_pages_are_refused_to_readers(
    en_fin, persona, attendu, request, client
):
    """The délégant reads the convention but may not write (403); an intrapreneur of no product
    of it does not see it (404)."""
    convention, bc = en_fin
    lecteur = (
        request.getfixturevalue("agent")
        if persona == "agent"
        else UserFactory(role="intrapreneur", email="intra@example.org")
    )
    client.force_login(lecteur)
    for url in (
        reverse("execution:cloturer", args=[convention.pk]),
        reverse("execution:suite_commande", args=[bc.pk, "solder"]),
    ):
        reponse = client.post(url, {"date": "2024-06-01", "decision": "restitution"})
        assert reponse.status_code == attendu
    assert not Restitution.objects.exists()


# --- API ------------------------------------------------------------------------------------


def test_cloturer_endpoint_answers_200_with_the_closed_convention(en_fin, finance, api):
    convention, bc = en_fin
    client = api(finance)
    suite = client.post(
        f"/api/v1/engagements/{bc.pk}/suite/", {"decision": "solder", "date": "2024-05-02"}
    )
    assert suite.status_code == 201, suite.content
    fin = client.get(f"/api/v1/conventions/{convention.pk}/fin/").json()
    assert fin["fin_effective"] == "2024-05-01"
    assert fin["commandes_ouvertes"] == []
    reponse = client.post(
        f"/api/v1/conventions/{convention.pk}/cloturer/",
        {"date": "2024-06-01", "decision": "utilisation_decidee", "reference": "Décision 7"},
        format="json",
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["statut"] == "cloturee"
    assert Restitution.objects.get(convention=convention).reference == "Décision 7"


def test_cloturer_endpoint_refusals_carry_a_code(convention, en_fin, finance, api):
    en_cours, _bc = en_fin
    client = api(finance)
    ouvertes = client.post(
        f"/api/v1/conventions/{en_cours.pk}/cloturer/",
        {"date": "2024-06-01", "decision": "restitution"},
        format="json",
    )
    assert ouvertes.status_code == 409
    assert ouvertes.json()["code"] == "commandes_ouvertes"
    en_vigueur = ConventionFactory(delegant=convention.delegant, delegataire=convention.delegataire)
    reponse = client.post(
        f"/api/v1/conventions/{en_vigueur.pk}/cloturer/",
        {"date": "2026-12-02", "decision": "restitution"},
        format="json",
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "periode_non_terminee"
    mal_forme = client.post(
        f"/api/v1/conventions/{en_vigueur.pk}/cloturer/", {"date": "2026-12-02"}, format="json"
    )
    assert mal_forme.status_code == 400


def test_cloturer_endpoint_three_personas(en_fin, agent, api):
    convention, _bc = en_fin
    corps = {"date": "2024-06-01", "decision": "restitution"}
    url = f"/api/v1/conventions/{convention.pk}/cloturer/"
    assert api(agent).post(url, corps, format="json").status_code == 403
    intra = UserFactory(role="intrapreneur", email="intra2@example.org")
    assert api(intra).post(url, corps, format="json").status_code == 403
    convention.refresh_from_db()
    assert convention.statut == Statut.RESILIEE


def test_cloturer_and_order_suite_are_documented_with_their_refusals(db, api):
    chemins = api().get("/api/v1/openapi.json").json()["paths"]
    cloturer = chemins["/api/v1/conventions/{id}/cloturer/"]["post"]
    assert {"200", "400", "409"} <= set(cloturer["responses"])
    assert "requestBody" in cloturer
    suite = chemins["/api/v1/engagements/{id}/suite/"]["post"]
    assert {"201", "400", "409"} <= set(suite["responses"])


# --- final report ---------------------------------------------------------------------------


def test_final_report_shows_the_restitution(en_fin, finance, client):
    convention, bc = en_fin
    cloture.decider_suite(bc, decision="solder", date=dt.date(2024, 5, 2))
    cloture.cloturer(
        convention, date=dt.date(2024, 6, 1), decision="restitution", reference="Courrier 12"
    )
    client.force_login(finance)
    page = client.get(
        reverse("rapports:rapport", args=[convention.pk]) + "?nature=terme"
    ).content.decode()
    assert "Crédits non utilisés : restitution" in page
    assert "Restitution au délégant (Courrier 12)" in page


def test_order_form_refuses_an_execution_end_after_its_marche_in_french(
    convention, finance, client
):
    mad(convention)
    marche = MarcheFactory(date_debut=dt.date(2024, 1, 1), date_fin=dt.date(2024, 9, 30))
    client.force_login(finance)
    reponse = client.post(
        f"/execution/conventions/{convention.pk}/bon-de-commande/",
        {
            "reference": "EJ-MARCHE",
            "date": "2024-03-01",
            "objet": "Sprint",
            "montant": "1 000,00",
            "confirme": "1000.00",
            "marche": marche.pk,
            "date_fin_execution": "2024-10-31",
        },
    )
    assert reponse.status_code == 200
    assert "doit être conforme au marché" in reponse.content.decode()
    assert not Engagement.objects.filter(reference="EJ-MARCHE").exists()
