"""The audit's malformed amendment confirmations (API): each answers 400 with a French message per
field and saves nothing; the same deposit then confirms once corrected."""

from __future__ import annotations

import json
from typing import Any

import pytest

from delegations.conventions.models import Avenant
from delegations.core.tests.factories import ConventionFactory
from delegations.lecture.models import Document

from .test_import import _lire_par_api, lecteur  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

LIGNE = {"annee": 2027, "ae": "50000.00", "cp": "50000.00"}


@pytest.fixture
def lecture_avenant(finance: Any, api: Any, lecteur: dict[str, Any], dinum: Any) -> Any:  # noqa: F811
    parente = ConventionFactory(delegataire=dinum)
    lecteur.update(type="avenant", objet="Prolongation", date_fin="2027-06-30", echeancier=[LIGNE])
    client = api(finance)
    corps = _lire_par_api(client, "avenant.txt", b"Avenant fictif pour les tests.\n")
    corps["convention"] = parente.pk
    url = f"/api/v1/conventions/import/{corps['import']}/confirmer"
    return client, url, corps, parente


def _rien_enregistre() -> None:
    assert not Avenant.objects.exists()
    assert not Document.objects.exists()


NBSP = "\xa0"


@pytest.mark.parametrize(
    ("echeancier", "erreurs"),
    [
        (
            [{**LIGNE, "annee": "abc"}],
            {"echeancier": {"0": {"annee": ["Un nombre entier valide est requis."]}}},
        ),
        (
            [{"annee": 2027, "cp": "1.00"}],
            {"echeancier": {"0": {"ae": ["Ce champ est obligatoire."]}}},
        ),
        ([{**LIGNE, "cp": "NaN"}], {"echeancier": {"0": {"cp": ["Un nombre valide est requis."]}}}),
        (
            [{**LIGNE, "ae": 1e30}],
            {
                "echeancier": {
                    "0": {
                        "ae": [f"Assurez-vous qu'il n'y a pas plus de 15{NBSP}chiffres au total."]
                    }
                }
            },
        ),
        (
            "2027 : 50 000 €",
            {
                "echeancier": {
                    "non_field_errors": [
                        f"Attendait une liste d'éléments mais a reçu «{NBSP}str{NBSP}»."
                    ]
                }
            },
        ),
        (
            {"annee": 2027, "ae": "1", "cp": "1"},
            {
                "echeancier": {
                    "non_field_errors": [
                        f"Attendait une liste d'éléments mais a reçu «{NBSP}dict{NBSP}»."
                    ]
                }
            },
        ),
        (
            [LIGNE, "2028"],
            {
                "echeancier": {
                    "1": {
                        "non_field_errors": [
                            "Donnée non valide. Attendait un dictionnaire, a reçu str."
                        ]
                    }
                }
            },
        ),
    ],
)
def test_un_echeancier_d_avenant_mal_forme_repond_400_par_champ_sans_rien_enregistrer(
    lecture_avenant: Any, echeancier: Any, erreurs: dict[str, Any]
) -> None:
    client, url, corps, parente = lecture_avenant
    reponse = client.post(url, {**corps, "echeancier": echeancier}, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == erreurs
    _rien_enregistre()
    # The deposit is still parked: the corrected reading confirms.
    cree = client.post(url, corps, format="json")
    assert cree.status_code == 201, cree.content
    assert parente.avenants.get().lignes.get().ae == 50000


def test_un_nan_litteral_dans_le_json_repond_400_en_francais(lecture_avenant: Any) -> None:
    client, url, corps, _ = lecture_avenant
    texte = json.dumps({**corps, "echeancier": [{**LIGNE, "ae": float("nan")}]})
    assert "NaN" in texte
    reponse = client.post(url, texte, content_type="application/json")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "code": "corps_illisible",
        "message": "Le corps de la requête n'est pas un JSON valide (NaN et Infinity n'en sont pas).",
    }
    _rien_enregistre()


@pytest.mark.parametrize("corps_brut", ["[1, 2]", '"avenant"', "42", "null"])
def test_un_corps_qui_n_est_pas_un_objet_repond_400_sans_rien_enregistrer(
    lecture_avenant: Any, corps_brut: str
) -> None:
    client, url, _, _ = lecture_avenant
    reponse = client.post(url, corps_brut, content_type="application/json")
    assert reponse.status_code == 400
    assert reponse.json() == {
        "non_field_errors": [
            "Le corps doit être un objet JSON : la lecture, avec ses clés (« objet », "
            "« echeancier »…)."
        ]
    }
    _rien_enregistre()


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        (
            "convention",
            27367565331350020096,
            "Assurez-vous que cette valeur est inférieure ou égale à 9223372036854775807.",
        ),
        ("convention", "abc", "Un nombre entier valide est requis."),
        (
            "date_fin",
            "30/06/2027",
            "La date n'a pas le bon format. Utilisez un des formats suivants\xa0: YYYY-MM-DD.",
        ),
    ],
)
def test_une_convention_ou_une_date_mal_formee_repond_400_par_champ(
    lecture_avenant: Any, champ: str, valeur: Any, message: str
) -> None:
    client, url, corps, _ = lecture_avenant
    reponse = client.post(url, {**corps, champ: valeur}, format="json")
    assert reponse.status_code == 400
    assert reponse.json() == {champ: [message]}
    _rien_enregistre()
