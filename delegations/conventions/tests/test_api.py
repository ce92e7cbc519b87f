"""The API speaks the extraction contract's keys; errors are French."""

from __future__ import annotations

import pytest
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.models import Administration

pytestmark = pytest.mark.django_db

EXTRAIT = {
    "type": "convention",
    "delegant": {
        "nom": "Direction fictive de l'exemple",
        "sigle": "DFE",
        "representant": {"nom": "Alice Durand", "qualite": "directrice"},
    },
    "delegataire": {
        "nom": "Direction interministérielle du numérique",
        "sigle": "DINUM",
        "representant": {"nom": "Bob Martin", "qualite": "directeur"},
    },
    "objet": "Construire le service Exemple.",
    "services": ["Exemple Facile"],
    "phases": ["construction", "acceleration"],
    "unite_operationnelle": "0103-CEFP-C004",
    "programme": None,
    "imputation": {
        "axe_ministeriel_1": None,
        "axe_ministeriel_2": None,
        "domaine_fonctionnel": "0103-02-01",
        "centre_financier": "0103-CEFP-C004",
        "activite": "010300000001",
        "centre_de_cout": "CENLOG1075",
    },
    "echeancier": [
        {"annee": 2024, "ae": "2500000.00", "cp": "1900000.00"},
        {"annee": 2025, "ae": "0.00", "cp": "600000.00"},
    ],
    "montant_total_ae": "2500000.00",
    "montant_total_cp": "2500000.00",
    "date_signature": "2024-03-12",
    "prise_effet": "signature",
    "date_fin": "2025-12-31",
    "duree_mois": None,
    "preavis_mois": 3,
    "compte_rendu": ["terme"],
    "conventions_precedentes": ["Convention du 1er mars 2022"],
    "annexe_rgpd": True,
    "alertes": [{"code": "montant_incoherent", "message": "…"}],
    "sources": {"objet": {"page": 1, "ligne": 4, "extrait": "…"}},
}


def test_what_the_reader_extracts_can_be_posted_as_is(finance, api):
    response = api(finance).post("/api/v1/conventions", EXTRAIT, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["statut"] == "brouillon"
    assert data["programme"] == "103"
    assert data["delegant"]["sigle"] == "DFE"
    assert data["delegant"]["representant"] == {"nom": "Alice Durand", "qualite": "directrice"}
    assert data["echeancier"] == EXTRAIT["echeancier"]
    assert data["montant_total_ae"] == "2500000.00"
    assert data["imputation"]["centre_de_cout"] == "CENLOG1075"
    assert data["services"] == ["Exemple Facile"]
    assert Administration.objects.filter(sigle="DFE").exists()


def test_administrations_are_matched_by_acronym_or_name(finance, api, dinum):
    existante = Administration.objects.create(nom="Direction fictive de l'exemple", sigle="")
    api(finance).post("/api/v1/conventions", EXTRAIT, format="json")
    conv = Convention.objects.get()
    assert conv.delegant == existante
    assert conv.delegataire == dinum


def test_validation_errors_are_french_field_errors(finance, api):
    mauvais = dict(
        EXTRAIT, unite_operationnelle="103", echeancier=[{"annee": 2024, "ae": "-1", "cp": "0"}]
    )
    response = api(finance).post("/api/v1/conventions", mauvais, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "0103-CEFP-C004" in body["unite_operationnelle"][0]
    assert body["echeancier"] == {"0": {"ae": ["Le montant doit être positif ou nul."]}}


def test_duplicate_schedule_year_is_a_field_error(finance, api):
    doublon = dict(
        EXTRAIT,
        echeancier=[{"annee": 2024, "ae": "1", "cp": "1"}, {"annee": 2024, "ae": "2", "cp": "2"}],
    )
    response = api(finance).post("/api/v1/conventions", doublon, format="json")
    assert response.status_code == 400
    assert "Une seule ligne" in str(response.json()["echeancier"])


def test_refused_business_rule_answers_code_and_message(convention, finance, api):
    response = api(finance).patch(
        f"/api/v1/conventions/{convention.pk}", {"date_fin": "2027-12-31"}, format="json"
    )
    # Refused by the state of the convention (signed), not by the shape of the input.
    assert response.status_code == 409
    assert response.json()["code"] == "modification_par_avenant"
    assert "avenant" in response.json()["message"]


def test_amendment_through_the_api(convention, finance, api):
    client = api(finance)
    response = client.post(
        f"/api/v1/conventions/{convention.pk}/avenants",
        {
            "objet": "Prolongation",
            "date_signature": "2024-06-01",
            "date_fin": "2027-06-30",
            "echeancier": [{"annee": 2027, "ae": "5000.00", "cp": "5000.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["statut"] == "signe"
    assert response.json()["numero"] == 1
    data = client.get(f"/api/v1/conventions/{convention.pk}").json()
    assert data["date_fin"] == "2026-12-31"
    assert data["date_fin_consolidee"] == "2027-06-30"
    assert {"annee": 2027, "ae": "5000.00", "cp": "5000.00", "modifiee_par": 1} in data[
        "echeancier_consolide"
    ]


def test_list_filters_match_the_page_filters(convention, finance, api):
    client = api(finance)
    assert client.get("/api/v1/conventions", {"q": "0103-TEST"}).json()["count"] == 1
    assert client.get("/api/v1/conventions", {"q": "introuvable"}).json()["count"] == 0
    assert client.get("/api/v1/conventions", {"annee": 2025}).json()["count"] == 1
    assert client.get("/api/v1/conventions", {"annee": 2031}).json()["count"] == 0
    assert client.get("/api/v1/conventions", {"statut": "signee"}).json()["count"] == 1
    assert client.get("/api/v1/conventions", {"statut": "publiee"}).json()["count"] == 0
    assert (
        client.get("/api/v1/conventions", {"delegant": convention.delegant_id}).json()["count"] == 1
    )


def test_openapi_schema_is_served(db, api):
    response = api().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/conventions/" in schema["paths"]


def test_in_force_is_derived_in_the_api(convention, finance, api):
    data = api(finance).get(f"/api/v1/conventions/{convention.pk}").json()
    assert data["en_vigueur"] == convention.est_en_vigueur(timezone.localdate())


def test_administration_name_already_taken_whatever_the_case_answers_409(finance, api):
    client = api(finance)
    assert (
        client.post(
            "/api/v1/administrations", {"nom": "Direction Unique"}, format="json"
        ).status_code
        == 201
    )
    reponse = client.post("/api/v1/administrations", {"nom": "direction unique"}, format="json")
    assert reponse.status_code == 409
    assert reponse.json() == {
        "code": "deja_existant",
        "message": "Une administration porte déjà ce nom.",
    }


def test_amendment_creation_is_documented_as_201(db, api):
    schema = api().get("/api/v1/openapi.json").json()
    chemin = next(p for p in schema["paths"] if p.startswith("/api/v1/conventions/{id}/avenants"))
    assert "201" in schema["paths"][chemin]["post"]["responses"]


def test_list_filters_are_documented_from_the_filterset(db, api):
    schema = api().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/conventions/"]["get"]
    parametres = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parametres["annee"]["type"] == "integer"
    assert parametres["delegant"]["type"] == "integer"
    assert parametres["produit"]["type"] == "integer"
    assert parametres["q"]["type"] == "string"
    assert "signee" in parametres["statut"]["enum"]
    assert "-montant" in parametres["tri"]["enum"]
    avenants = schema["paths"]["/api/v1/conventions/{id}/avenants/"]["get"]
    assert "statut" not in {p["name"] for p in avenants.get("parameters", [])}


def test_list_refuses_filter_values_that_do_not_parse_while_the_page_ignores_them(
    convention, finance, api, client
):
    valeurs = {"annee": "abc", "statut": "inconnu", "tri": "zzz", "delegant": "x"}
    reponse = api(finance).get("/api/v1/conventions", valeurs)
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"annee", "statut", "tri", "delegant"}
    assert reponse.json()["annee"] == ["Saisissez un nombre entier."]
    client.force_login(finance)
    page = client.get("/conventions/", valeurs)
    assert page.status_code == 200
    assert convention.reference in page.content.decode()


@pytest.mark.parametrize(
    "parametres",
    [
        {"delegant": "27367565331350020096"},  # beyond bigint: never reaches the database
        {"produit": "-1"},
        {"taille": "null"},
        {"taille": "0"},
        {"taille": "201"},
    ],
)
def test_list_refuses_integers_out_of_their_declared_bounds(convention, finance, api, parametres):
    reponse = api(finance).get("/api/v1/conventions", parametres)
    assert reponse.status_code == 400
    assert set(reponse.json()) == set(parametres)


def test_list_sorts_by_amount_and_a_detail_url_ignores_list_filters(
    convention, finance, api, administration, dinum
):
    from delegations.core.tests.factories import ConventionFactory

    petite = ConventionFactory(delegant=administration, delegataire=dinum, echeancier=[])
    client = api(finance)
    ordre = client.get("/api/v1/conventions", {"tri": "-montant"}).json()["results"]
    assert [c["id"] for c in ordre] == [convention.pk, petite.pk]
    detail = client.get(f"/api/v1/conventions/{convention.pk}", {"statut": "brouillon"})
    assert detail.status_code == 200


def test_api_stores_co_financings_in_the_register_shape(finance, administration, dinum, api):
    from delegations.conventions.models import Convention

    corps = {
        "reference": "COF-1",
        "objet": "Objet.",
        "delegant": {"nom": administration.nom, "sigle": administration.sigle},
        "delegataire": {"nom": dinum.nom, "sigle": dinum.sigle},
        "cofinancements": [{"financeur": " DINUM ", "montant": "50000", "objet": "FAST"}],
    }
    reponse = api(finance).post("/api/v1/conventions/", corps, format="json")
    assert reponse.status_code == 201, reponse.content
    assert Convention.objects.get(reference="COF-1").cofinancements == [
        {"financeur": "DINUM", "montant": "50000.00", "objet": "FAST"}
    ]
    assert reponse.json()["cofinancements"] == [
        {"financeur": "DINUM", "montant": "50000.00", "objet": "FAST"}
    ]


@pytest.mark.parametrize(
    "cofinancement",
    [
        {"financeur": "", "montant": "1"},
        {"financeur": "X", "montant": "-1"},
        {"montant": "1"},
        {"financeur": "X", "montant": "NaN"},
        "DINUM",
    ],  # fmt: skip
)
def test_api_refuses_a_malformed_co_financing_with_a_400(
    finance, administration, dinum, api, cofinancement
):
    from delegations.conventions.models import Convention

    corps = {
        "reference": "COF-2",
        "objet": "Objet.",
        "delegant": {"nom": administration.nom, "sigle": administration.sigle},
        "delegataire": {"nom": dinum.nom, "sigle": dinum.sigle},
        "cofinancements": [cofinancement],
    }
    reponse = api(finance).post("/api/v1/conventions/", corps, format="json")
    assert reponse.status_code == 400
    assert not Convention.objects.filter(reference="COF-2").exists()


def test_api_records_the_mid_term_committee_clause(finance, administration, dinum, api):
    from delegations.conventions.models import Convention

    corps = {
        "reference": "MI-1",
        "objet": "Objet.",
        "delegant": {"nom": administration.nom, "sigle": administration.sigle},
        "delegataire": {"nom": dinum.nom, "sigle": dinum.sigle},
        "comite_mi_parcours": True,
    }
    reponse = api(finance).post("/api/v1/conventions/", corps, format="json")
    assert reponse.status_code == 201, reponse.content
    assert Convention.objects.get(reference="MI-1").comite_mi_parcours is True
    assert reponse.json()["comite_mi_parcours"] is True
