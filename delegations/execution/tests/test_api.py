"""API: each endpoint with the three personas, rules as 400 {code, message}, DELETE → 405."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.core.tests.factories import ProduitFactory, UserFactory
from delegations.execution.models import Engagement, PropositionServiceFait, ServiceFait

from .factories import TitulaireFactory, commande, mad, paiement, ref, service_fait

pytestmark = pytest.mark.django_db


@pytest.fixture
def chaine(convention):
    """Availability, an order, a service fait and a payment on the shared convention."""
    m = mad(convention)
    eng = commande(convention, "10000")
    sf = service_fait(eng, "4000")
    p = paiement(sf, "1000")
    return {"mises-a-disposition": m, "engagements": eng, "services-faits": sf, "paiements": p}


def corps(nom, convention, chaine):
    eng, sf = chaine["engagements"], chaine["services-faits"]
    return {
        "mises-a-disposition": {
            "convention": convention.pk,
            "annee": 2025,
            "ae": "1000.00",
            "cp": "500.00",
            "date": "2025-01-10",
            "reference": "MAD-2025-1",
        },
        "engagements": {
            "convention": convention.pk,
            "annee": 2024,
            "montant": "2000.00",
            "reference": ref(),
            "date": "2024-04-01",
            "objet": "Sprint 3",
        },
        "services-faits": {
            "engagement": eng.pk,
            "montant": "1000.00",
            "date": "2024-05-01",
            "periode": "2024-04-01/2024-04-30",
        },
        "paiements": {
            "service_fait": sf.pk,
            "montant": "500.00",
            "date": "2024-05-20",
            "reference": "FAC-9",
        },
        "reports": {
            "convention": convention.pk,
            "annee": 2024,
            "ae": "1000.00",
            "cp": "0",
            "date": "2024-12-20",
            "reference": "DECISION-1",
        },
        "reductions": {
            "engagement": eng.pk,
            "montant": "500.00",
            "date": "2024-06-01",
            "motif": "Moins de jours",
        },
        "informations-delegant": {
            "convention": convention.pk,
            "annee": 2024,
            "date": "2024-06-01",
            "montant_demande": "50000.00",
            "commentaire": "Courriel",
        },
    }[nom]


ENDPOINTS = [
    "mises-a-disposition",
    "engagements",
    "services-faits",
    "paiements",
    "reports",
    "reductions",
    "informations-delegant",
]


@pytest.mark.parametrize("nom", ENDPOINTS)
def test_finance_records_each_movement(nom, convention, chaine, finance, api):
    response = api(finance).post(f"/api/v1/{nom}", corps(nom, convention, chaine), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["id"]


@pytest.mark.parametrize("nom", ENDPOINTS)
def test_delegant_officer_reads_but_cannot_write(nom, convention, chaine, agent, api):
    assert (
        api(agent).post(f"/api/v1/{nom}", corps(nom, convention, chaine), format="json").status_code
        == 403
    )
    response = api(agent).get(f"/api/v1/{nom}")
    assert response.status_code == 200


@pytest.mark.parametrize("nom", ENDPOINTS)
def test_anonymous_is_refused_on_every_endpoint(nom, convention, chaine, api):
    assert api().get(f"/api/v1/{nom}").status_code in (401, 403)
    assert api().post(
        f"/api/v1/{nom}", corps(nom, convention, chaine), format="json"
    ).status_code in (401, 403)


@pytest.mark.parametrize(
    "nom", ["mises-a-disposition", "engagements", "services-faits", "paiements"]
)
def test_colleague_of_another_administration_sees_nothing(
    nom, convention, chaine, agent, collegue, api
):
    obj = chaine[nom]
    assert api(agent).get(f"/api/v1/{nom}/{obj.pk}").status_code == 200
    assert api(collegue).get(f"/api/v1/{nom}/{obj.pk}").status_code == 404
    assert api(collegue).get(f"/api/v1/{nom}").json()["count"] == 0
    assert api(agent).get(f"/api/v1/{nom}").json()["count"] == 1


@pytest.mark.parametrize(
    "nom", ["mises-a-disposition", "engagements", "services-faits", "paiements"]
)
def test_journal_rows_cannot_be_changed_or_deleted_through_the_api(nom, chaine, finance, api):
    obj = chaine[nom]
    client = api(finance)
    assert client.delete(f"/api/v1/{nom}/{obj.pk}").status_code == 405
    assert client.put(f"/api/v1/{nom}/{obj.pk}", {}, format="json").status_code == 405
    patch = client.patch(f"/api/v1/{nom}/{obj.pk}", {"montant": "1.00"}, format="json")
    # Orders and payments accept a PATCH of their CHORUS reference only: an amount is refused.
    assert patch.status_code == (400 if nom in ("engagements", "paiements") else 405)
    assert client.delete(f"/api/v1/{nom}").status_code == 405
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_refused_rule_answers_400_with_code_and_figures(convention, finance, api):
    mad(convention, ae="20500", cp="1")
    commande(convention, "12000")
    response = api(finance).post(
        "/api/v1/engagements",
        {
            "convention": convention.pk,
            "annee": 2024,
            "montant": "12000.00",
            "reference": "EJ-X",
            "date": "2024-03-01",
            "objet": "x",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "credits_insuffisants"
    assert "8\u202f500,00" in body["message"] and "12\u202f000,00" in body["message"]


def test_order_on_a_convention_outside_the_perimeter_answers_404(convention, api):
    intrapreneur = UserFactory(role="intrapreneur")
    response = api(intrapreneur).post(
        "/api/v1/mises-a-disposition",
        {
            "convention": convention.pk,
            "annee": 2024,
            "ae": "1",
            "cp": "1",
            "date": "2024-02-01",
            "reference": "x",
        },
        format="json",
    )
    assert response.status_code == 403  # writing is for finance whatever the perimeter


def test_order_with_product_and_contractor(convention, finance, api):
    produit = ProduitFactory()
    convention.produits.add(produit)
    titulaire = TitulaireFactory()
    mad(convention)
    response = api(finance).post(
        "/api/v1/engagements",
        {
            "convention": convention.pk,
            "montant": "100.00",
            "reference": "EJ-P",
            "date": "2024-03-01",
            "objet": "x",
            "produit": produit.pk,
            "titulaire": titulaire.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["annee"] == 2024 and response.json()["montant"] == "100.00"
    assert api(finance).get(f"/api/v1/engagements?produit={produit.pk}").json()["count"] == 1


# --- intrapreneur proposals -------------------------------------------------------------------


@pytest.fixture
def intrapreneur_et_commande(convention):
    intra = UserFactory(role="intrapreneur")
    produit = ProduitFactory(intrapreneur_email=intra.email)
    convention.produits.add(produit)
    mad(convention)
    return intra, commande(convention, "10000", produit=produit)


def test_intrapreneur_proposes_a_service_fait_that_finance_validates(
    intrapreneur_et_commande, finance, api
):
    intra, eng = intrapreneur_et_commande
    response = api(intra).post(
        "/api/v1/services-faits",
        {"engagement": eng.pk, "montant": "3000.00", "date": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["statut"] == "proposee"
    assert ServiceFait.objects.count() == 0
    prop = PropositionServiceFait.objects.get()
    response = api(finance).post(f"/api/v1/propositions-services-faits/{prop.pk}/valider")
    assert response.status_code == 201, response.content
    sf = ServiceFait.objects.get()
    assert sf.proposition == prop and sf.montant == Decimal("3000.00")
    assert (
        api(finance).post(f"/api/v1/propositions-services-faits/{prop.pk}/valider").json()["code"]
        == "proposition_traitee"
    )
    assert (
        api(intra).post(f"/api/v1/propositions-services-faits/{prop.pk}/valider").status_code == 403
    )


def test_finance_rejects_a_proposal_with_a_reason(intrapreneur_et_commande, finance, api):
    intra, eng = intrapreneur_et_commande
    api(intra).post(
        "/api/v1/services-faits",
        {"engagement": eng.pk, "montant": "3000.00", "date": "2024-04-01"},
        format="json",
    )
    prop = PropositionServiceFait.objects.get()
    response = api(finance).post(
        f"/api/v1/propositions-services-faits/{prop.pk}/rejeter",
        {"motif": "Incomplet"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["statut"] == "rejetee"


def test_intrapreneur_cannot_propose_on_another_products_order(
    intrapreneur_et_commande, convention, api
):
    intra, _eng = intrapreneur_et_commande
    autre = commande(convention, "100")
    response = api(intra).post(
        "/api/v1/services-faits",
        {"engagement": autre.pk, "montant": "10.00", "date": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 403


def test_intrapreneur_proposal_outside_perimeter_answers_404(chaine, api):
    intra = UserFactory(role="intrapreneur")
    response = api(intra).post(
        "/api/v1/services-faits",
        {"engagement": chaine["engagements"].pk, "montant": "10.00", "date": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 404


def test_delegant_officer_cannot_propose_a_service_fait(chaine, agent, api):
    response = api(agent).post(
        "/api/v1/services-faits",
        {"engagement": chaine["engagements"].pk, "montant": "10.00", "date": "2024-04-01"},
        format="json",
    )
    assert response.status_code == 403


# --- situation --------------------------------------------------------------------------------


def test_situation_endpoint_gives_the_figures_as_decimal_strings(convention, chaine, agent, api):
    response = api(agent).get(f"/api/v1/conventions/{convention.pk}/situation")
    assert response.status_code == 200
    data = response.json()
    annee = next(a for a in data["annees"] if a["annee"] == 2024)
    assert annee == {
        "annee": 2024,
        "ae_prevu": "100000.00",
        "ae_disponible": "100000.00",
        "ae_engage": "10000.00",
        "ae_restant": "90000.00",
        "cp_prevu": "80000.00",
        "cp_disponible": "80000.00",
        "cp_paye": "1000.00",
        "cp_restant": "79000.00",
        "ae_restitue": "0.00",
        "cp_restitue": "0.00",
    }
    assert set(data) >= {"annees", "epuisement_prevu", "fenetre_comite"}


def test_situation_endpoint_perimeter(convention, collegue, api):
    assert api(collegue).get(f"/api/v1/conventions/{convention.pk}/situation").status_code == 404
    assert api().get(f"/api/v1/conventions/{convention.pk}/situation").status_code in (401, 403)


# --- query counts -------------------------------------------------------------------------------


def _requetes(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("nom", ["engagements", "services-faits", "paiements"])
def test_list_endpoints_query_count_does_not_grow_with_rows(nom, convention, agent, api):
    mad(convention, ae="100000", cp="80000")

    def remplir(n):
        for _ in range(n):
            paiement(service_fait(commande(convention, "10"), "10"), "10")

    remplir(3)
    peu = _requetes(api(agent), f"/api/v1/{nom}")
    remplir(27)
    assert _requetes(api(agent), f"/api/v1/{nom}") == peu


def test_situation_query_count_does_not_grow_with_movements(convention, agent, api):
    mad(convention)
    commande(convention, "10")
    peu = _requetes(api(agent), f"/api/v1/conventions/{convention.pk}/situation")
    for _ in range(30):
        paiement(service_fait(commande(convention, "10"), "10", date=dt.date(2024, 3, 2)), "10")
    assert _requetes(api(agent), f"/api/v1/conventions/{convention.pk}/situation") == peu
    assert Engagement.objects.count() == 31


@pytest.mark.parametrize(
    ("parametres", "champ"),
    [
        ({"convention": "27367565331350020096"}, "convention"),  # the audit's OverflowError
        ({"titulaire": "null"}, "titulaire"),
        ({"annee": "1999"}, "annee"),
        ({"annee": "abc"}, "annee"),
    ],
)
def test_journal_list_refuses_integer_filters_out_of_their_bounds_with_400(
    convention, finance, api, parametres, champ
):
    reponse = api(finance).get("/api/v1/engagements", parametres)
    assert reponse.status_code == 400
    assert list(reponse.json()) == [champ]
    assert reponse.json()[champ][0].startswith("Nombre entier attendu entre")


def test_an_address_no_operation_matches_answers_a_json_404(finance, api):
    reponse = api(finance).get("/api/v1/conventions/0/avenants/%C2%84/")
    assert reponse.status_code == 404
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json() == {"detail": "Introuvable."}
