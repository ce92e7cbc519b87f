"""Error pages 400, 403, 404, 500 and 503: French, the State's header and footer, a way back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


def assert_page_erreur_de_l_etat(reponse: Any, code: int, titre: str) -> None:
    assert reponse.status_code == code
    texte = reponse.content.decode()
    assert f"<h1>{titre}</h1>" in texte
    assert f"Erreur {code}" in texte
    assert 'class="fr-header"' in texte
    assert 'class="fr-footer"' in texte
    assert '<a class="fr-btn" href="/">Page d\'accueil</a>' in texte
    assert '<html lang="fr"' in texte


def test_unknown_page_answers_the_french_404_page(client: Any, db: None) -> None:
    assert_page_erreur_de_l_etat(client.get("/page-inexistante/"), 404, "Page non trouvée")


def test_a_convention_outside_the_perimeter_answers_the_french_404_page(
    client: Any, collegue: Any, convention: Any
) -> None:
    client.force_login(collegue)
    reponse = client.get(f"/conventions/{convention.pk}/")
    assert_page_erreur_de_l_etat(reponse, 404, "Page non trouvée")


def test_a_refused_action_answers_the_french_403_page(client: Any, agent: Any, convention: Any):
    client.force_login(agent)
    reponse = client.post(f"/rapports/conventions/{convention.pk}/transmis/", {})
    assert_page_erreur_de_l_etat(reponse, 403, "Accès refusé")


def test_a_form_without_its_csrf_token_answers_the_french_403_page(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    reponse = client.post("/connexion/", {"username": "x", "password": "y"})
    assert_page_erreur_de_l_etat(reponse, 403, "Formulaire expiré")


def test_an_unknown_host_answers_the_french_400_page(client: Any, db: None) -> None:
    reponse = client.get("/connexion/", HTTP_HOST="pirate.example")
    assert_page_erreur_de_l_etat(reponse, 400, "Requête invalide")


@pytest.mark.urls("delegations.core.tests.urls_erreurs")
def test_an_unexpected_error_answers_the_french_500_page(db: None) -> None:
    reponse = Client(raise_request_exception=False).get("/boum/")
    assert_page_erreur_de_l_etat(reponse, 500, "Erreur inattendue")
    assert "panne voulue" not in reponse.content.decode()


@pytest.mark.urls("delegations.core.tests.urls_erreurs")
def test_an_unreachable_database_answers_the_french_503_page(db: None) -> None:
    reponse = Client(raise_request_exception=False).get("/base-perdue/")
    assert_page_erreur_de_l_etat(reponse, 503, "Service momentanément indisponible")
    assert reponse["Retry-After"] == "60"
    assert "5432" not in reponse.content.decode()
