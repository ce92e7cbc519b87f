"""Login throttling (django-axes), password rules and idle sessions."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from delegations.core.tests.factories import UserFactory

MOT_DE_PASSE = "motdepasse-test"


@pytest.fixture
def compte(db: None) -> Any:
    return UserFactory(role="finance", username="finance", email="finance@exemple.gouv.fr")


def tenter(client: Client, adresse: str, identifiant: str, mot_de_passe: str, **meta: Any) -> Any:
    return client.post(adresse, {"username": identifiant, "password": mot_de_passe}, **meta)


def test_fifty_wrong_passwords_then_the_right_one_is_refused(compte: Any) -> None:
    client = Client()
    for _ in range(50):
        tenter(client, "/connexion/", "finance", "mauvais-mot-de-passe")
    reponse = tenter(client, "/connexion/", "finance", MOT_DE_PASSE)
    assert reponse.status_code == 429
    assert "Connexion momentanément bloquée" in reponse.content.decode()
    assert "bloquée pendant 15 minutes" in reponse.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_account_is_locked_at_the_tenth_failure_not_before(compte: Any) -> None:
    client = Client()
    for _ in range(9):
        assert tenter(client, "/connexion/", "finance", "mauvais").status_code == 200
    assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 302
    client.logout()
    for _ in range(10):
        tenter(client, "/connexion/", "finance", "mauvais")
    assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 429


def test_the_lock_holds_whatever_the_case_of_the_login(compte: Any) -> None:
    client = Client()
    for _ in range(10):
        tenter(client, "/connexion/", "FINANCE", "mauvais")
    assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 429


def test_the_lock_is_per_account_and_address(compte: Any) -> None:
    client = Client()
    for _ in range(10):
        tenter(client, "/connexion/", "finance", "mauvais", REMOTE_ADDR="10.0.0.1")
    assert (
        tenter(client, "/connexion/", "finance", MOT_DE_PASSE, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    autre = tenter(client, "/connexion/", "finance", MOT_DE_PASSE, REMOTE_ADDR="10.0.0.2")
    assert autre.status_code == 302


def test_the_lock_ends_after_fifteen_minutes(compte: Any) -> None:
    client = Client()
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False) as voyage:
        for _ in range(10):
            tenter(client, "/connexion/", "finance", "mauvais")
        assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 429
        voyage.shift(16 * 60)
        assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 302


def test_the_admin_login_is_throttled_too(db: None) -> None:
    UserFactory(username="chef", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(10):
        tenter(client, "/admin/login/", "chef", "mauvais")
    reponse = tenter(client, "/admin/login/", "chef", MOT_DE_PASSE)
    assert reponse.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("mot_de_passe", "raison"),
    [
        ("finance1", "au minimum 12 caractères"),
        ("123456789012345", "entièrement numérique"),
        ("telechargement", "trop courant"),
        ("finance.exemple", "trop semblable"),
    ],
)
def test_weak_passwords_are_refused(compte: Any, mot_de_passe: str, raison: str) -> None:
    with pytest.raises(ValidationError) as erreur:
        validate_password(mot_de_passe, compte)
    assert any(raison in message for message in erreur.value.messages)


def test_a_long_unusual_password_is_accepted(compte: Any) -> None:
    validate_password("cheval-agrafe-batterie-correcte", compte)


def test_an_idle_session_ends_after_sixty_minutes(compte: Any) -> None:
    client = Client()
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False) as voyage:
        assert tenter(client, "/connexion/", "finance", MOT_DE_PASSE).status_code == 302
        voyage.shift(59 * 60)
        assert client.get("/conventions/").status_code == 200
        voyage.shift(59 * 60)  # active one minute before: still open
        assert client.get("/conventions/").status_code == 200
        voyage.shift(61 * 60)
        reponse = client.get("/conventions/", follow=True)
    assert reponse.redirect_chain[0][0].startswith("/connexion/")
    assert "Votre session a expiré après 60 minutes sans activité" in reponse.content.decode()


def test_the_idle_timeout_is_set_by_session_idle_minutes(compte: Any, settings: Any) -> None:
    settings.SESSION_IDLE_MINUTES = 5
    client = Client()
    with time_machine.travel("2026-03-02 10:00 +0000", tick=False) as voyage:
        tenter(client, "/connexion/", "finance", MOT_DE_PASSE)
        voyage.shift(6 * 60)
        assert client.get("/conventions/").status_code == 302
