"""The API's contract (issue 17, item 10): what the OpenAPI schema declares is what the server
enforces. Malformed input answers 400 with field errors; a request refused by the state of the
data answers 409 ``{code, message}``. Each case is one the audit's schemathesis run found."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from delegations.comites.models import Comite
from delegations.core.tests.factories import ProduitFactory

from .factories import ConventionPublieeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api: Any) -> dict[str, Any]:
    return api().get("/api/v1/openapi.json").json()


def _valide(schema: dict[str, Any], composant: str, corps: dict[str, Any]) -> bool:
    """Whether ``corps`` satisfies the component, its references resolved in the document."""
    validateur = jsonschema.Draft4Validator(
        {"$ref": f"#/components/schemas/{composant}", "components": schema["components"]}
    )
    return validateur.is_valid(corps)


@pytest.mark.parametrize(
    "adresse",
    [
        "/api/v1/echeances/?du=",
        "/api/v1/echeances.ics?au=",
        "/api/v1/conventions/?statut=",
        "/api/v1/obligations/?convention=",
    ],
)
def test_un_parametre_type_donne_vide_est_refuse(finance: Any, api: Any, adresse: str) -> None:
    reponse = api(finance).get(adresse)
    assert reponse.status_code == 400, reponse.content


def test_un_parametre_booleen_qui_n_en_est_pas_un_est_refuse(finance: Any, api: Any) -> None:
    client = api(finance)
    reponse = client.get("/api/v1/obligations/?en_retard=null")
    assert reponse.status_code == 400
    assert reponse.json() == {"en_retard": ["Booléen attendu : true ou false."]}
    assert client.get("/api/v1/obligations/?en_retard=true").status_code == 200


def test_une_recherche_libre_ou_une_liste_vide_reste_acceptee(finance: Any, api: Any) -> None:
    assert api(finance).get("/api/v1/comites/?q=").status_code == 200
    assert api(finance).get("/api/v1/echeances/?type=").status_code == 200


@pytest.mark.parametrize(
    ("adresse", "corps", "champ"),
    [
        ("/api/v1/titulaires/", {"nom": "Titulaire", "siret": 0}, "siret"),
        ("/api/v1/administrations/", {"nom": "Une administration", "adresse": 0}, "adresse"),
        (
            "/api/v1/marches/",
            {
                "numero": "M-1",
                "intitule": "Marché",
                "titulaires": {},
                "date_debut": "2024-01-01",
                "date_fin": "2024-12-31",
            },
            "titulaires",
        ),
    ],
)
def test_un_corps_json_est_lu_avec_les_types_du_schema(
    finance: Any, api: Any, adresse: str, corps: dict[str, Any], champ: str
) -> None:
    """A number where the schema says text, an object where it says a list: 400 on the field
    (DRF would have stored "0", or read the object as the empty list of its keys)."""
    reponse = api(finance).post(adresse, corps, format="json")
    assert reponse.status_code == 400, reponse.content
    assert list(reponse.json()) == [champ]


def test_un_identifiant_d_objet_inexistant_est_refuse_par_l_etat_des_donnees(
    finance: Any, api: Any
) -> None:
    reponse = api(finance).post(
        "/api/v1/obligations/",
        {"convention": 999999, "libelle": "Rapport", "echeance": "2024-01-01"},
        format="json",
    )
    assert reponse.status_code == 409
    corps = reponse.json()
    assert corps["code"] == "reference_inconnue"
    assert corps["message"].startswith("« convention » : ")


def test_un_identifiant_inexistant_avec_une_saisie_invalide_reste_un_400(
    finance: Any, api: Any
) -> None:
    reponse = api(finance).post(
        "/api/v1/obligations/",
        {"convention": 999999, "libelle": "Rapport", "echeance": "pas une date"},
        format="json",
    )
    assert reponse.status_code == 400
    assert set(reponse.json()) == {"convention", "echeance"}


def test_la_partie_d_une_convention_exige_un_nom_ou_un_sigle_dans_le_schema_et_au_serveur(
    finance: Any, api: Any, schema: dict[str, Any]
) -> None:
    for partie, acceptee in [
        ({"nom": "Direction", "sigle": ""}, True),
        ({"sigle": "DIR"}, True),
        ({"nom": "", "sigle": ""}, False),
        ({"nom": " \x1c", "sigle": "\ufeff"}, False),
        ({}, False),
    ]:
        assert _valide(schema, "PartieRequest", partie) is acceptee, partie
        reponse = api(finance).post(
            "/api/v1/conventions/",
            {"delegant": partie, "delegataire": {"sigle": "DINUM"}, "objet": "Objet"},
            format="json",
        )
        assert (reponse.status_code == 201) is acceptee, (partie, reponse.content)


def test_le_comite_porte_sur_un_produit_ou_une_mission_dans_le_schema_et_au_serveur(
    finance: Any, api: Any, schema: dict[str, Any]
) -> None:
    produit = ProduitFactory()
    convention = ConventionPublieeFactory(produits=[produit])
    for corps, accepte in [
        ({"produit": produit.pk}, True),
        ({"type": "produit", "convention": convention.pk}, False),
        ({"type": "produit", "produit": None, "convention": None}, False),
        ({"type": "interministeriel", "convention": convention.pk}, True),
        ({"type": "interministeriel", "produit": produit.pk}, False),
        ({"type": "mi_parcours", "convention": convention.pk}, True),
        ({"type": "mi_parcours", "produit": produit.pk}, True),
        ({"type": "mi_parcours"}, False),
    ]:
        corps = {**corps, "date": "2024-03-01"}
        assert _valide(schema, "ComiteRequest", corps) is accepte, corps
        reponse = api(finance).post("/api/v1/comites/", corps, format="json")
        assert (reponse.status_code == 201) is accepte, (corps, reponse.content)
        if not accepte:
            assert reponse.status_code == 400


def test_un_comite_modifie_en_partie_que_son_etat_rend_incomplet_repond_409(
    finance: Any, api: Any
) -> None:
    produit = ProduitFactory()
    client = api(finance)
    cree = client.post(
        "/api/v1/comites/", {"produit": produit.pk, "date": "2024-03-01"}, format="json"
    ).json()
    reponse = client.patch(
        f"/api/v1/comites/{cree['id']}/", {"type": "interministeriel"}, format="json"
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "comite_incomplet"
    assert Comite.objects.get(pk=cree["id"]).type == "produit"


def test_confirmer_un_import_inconnu_repond_404(finance: Any, api: Any) -> None:
    reponse = api(finance).post(
        "/api/v1/conventions/import/0/confirmer", {"nom_fichier": "a.pdf"}, format="json"
    )
    assert reponse.status_code == 404


def test_un_formulaire_multipart_ne_declare_pas_null(schema: dict[str, Any]) -> None:
    """A form cannot carry JSON's null (schemathesis sent the text "null" for a date)."""
    formulaires = [
        operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
        for chemin in schema["paths"].values()
        for operation in chemin.values()
        if isinstance(operation, dict)
        and "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
    ]
    assert "#/components/schemas/ServiceFaitEntreeRequest" in formulaires
    for ref in formulaires:
        proprietes = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
        assert not [nom for nom, p in proprietes.items() if p.get("nullable")], ref


def test_un_montant_borne_a_zero_est_documente_sans_signe_moins(schema: dict[str, Any]) -> None:
    """The server refuses a negative amount there (min_value 0): the schema's pattern too."""
    montant = schema["components"]["schemas"]["CofinancementRequest"]["properties"]["montant"]
    assert _valide(schema, "CofinancementRequest", {"financeur": "Région", "montant": "10.50"})
    assert not _valide(schema, "CofinancementRequest", {"financeur": "Région", "montant": "-1"})
    assert montant["pattern"].startswith("^\\d")


def test_un_texte_est_documente_sans_caractere_nul(
    finance: Any, api: Any, schema: dict[str, Any]
) -> None:
    corps = {"nom": "Titulaire\x00"}
    assert not _valide(schema, "TitulaireRequest", corps)
    assert _valide(schema, "TitulaireRequest", {"nom": "Titulaire"})
    reponse = api(finance).post("/api/v1/titulaires/", corps, format="json")
    assert reponse.status_code == 400
    assert list(reponse.json()) == ["nom"]


def test_une_administration_creee_par_son_sigle_est_retrouvee_par_ce_nom(
    finance: Any, api: Any
) -> None:
    """The audit's 500: a party given by an acronym that is the name of an existing
    administration (created from the same acronym alone) created it twice."""
    client = api(finance)
    assert client.post("/api/v1/administrations/", {"nom": "ABC"}, format="json").status_code == 201
    reponse = client.post(
        "/api/v1/conventions/",
        {"delegant": {"sigle": "ABC"}, "delegataire": {"sigle": "DINUM"}, "objet": "Objet"},
        format="json",
    )
    assert reponse.status_code == 201, reponse.content
    assert reponse.json()["delegant"]["nom"] == "ABC"


@pytest.mark.parametrize(
    ("periode", "valide"),
    [
        ("2024-02-29/2024-03-31", True),
        ("2000-02-29/2000-12-31", True),
        ("2023-02-29/2023-03-31", False),
        ("1900-02-29/1900-03-31", False),
        ("2024-04-31/2024-05-01", False),
        ("0000-01-01/2024-01-01", False),
    ],
)
def test_la_periode_d_un_service_fait_a_le_meme_motif_au_schema_et_au_serveur(
    schema: dict[str, Any], periode: str, valide: bool
) -> None:
    from delegations.execution.serializers import ServiceFaitEntree

    corps = {"engagement": 1, "montant": "10", "date": "2024-04-01", "periode": periode}
    assert _valide(schema, "ServiceFaitEntreeRequest", corps) is valide
    entree = ServiceFaitEntree(data=corps)
    assert entree.is_valid() is valide, entree.errors


def test_un_texte_a_motif_garde_son_motif_dans_le_schema(schema: dict[str, Any]) -> None:
    """The SIRET's validator (14 digits) is its pattern, not replaced by the no-NUL one."""
    assert _valide(schema, "AdministrationRequest", {"nom": "A", "siret": "12345678901234"})
    assert not _valide(schema, "AdministrationRequest", {"nom": "A", "siret": "0"})
