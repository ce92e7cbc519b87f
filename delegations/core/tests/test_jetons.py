"""API keys: created, listed by prefix and revoked by their owner on the profile page, stored
hashed, expiring after API_TOKEN_DAYS, their last use recorded."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from delegations.core.models import JetonAPI

pytestmark = pytest.mark.django_db


def creer_sur_le_profil(client: Client, nom: str) -> str:
    reponse = client.post("/profil/", {"nom": nom})
    assert reponse.status_code == 200
    trouve = re.search(r'<code id="nouveau-jeton">([^<]+)</code>', reponse.content.decode())
    assert trouve is not None
    return trouve.group(1)


def api_avec(cle: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {cle}")
    return client


@pytest.mark.parametrize("persona", ["finance", "agent", "intrapreneur"])
def test_each_persona_creates_a_key_on_the_profile_page_and_uses_it(
    client: Client, persona: str, finance: Any, agent: Any, request: Any
) -> None:
    if persona == "intrapreneur":
        from delegations.core.tests.factories import UserFactory

        user = UserFactory(role="intrapreneur")
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    cle = creer_sur_le_profil(client, "Tableur")
    assert api_avec(cle).get("/api/v1/conventions").status_code == 200


def test_the_key_is_stored_hashed_and_listed_by_its_prefix_only(client: Client, agent: Any):
    client.force_login(agent)
    cle = creer_sur_le_profil(client, "Script")
    jeton = JetonAPI.objects.get(user=agent)
    assert jeton.empreinte == hashlib.sha256(cle.encode()).hexdigest()
    with connection.cursor() as curseur:
        curseur.execute("SELECT * FROM core_jetonapi")
        lignes = curseur.fetchall()
    assert all(cle not in str(valeur) for ligne in lignes for valeur in ligne)
    page = client.get("/profil/").content.decode()
    assert f"{cle[:8]}…" in page
    assert cle not in page


def test_a_revoked_key_is_refused(client: Client, agent: Any) -> None:
    client.force_login(agent)
    cle = creer_sur_le_profil(client, "Script")
    jeton = JetonAPI.objects.get(user=agent)
    reponse = client.post(f"/profil/jetons/{jeton.pk}/revoquer/", follow=True)
    assert "est révoqué" in reponse.content.decode()
    assert api_avec(cle).get("/api/v1/conventions").status_code == 401


def test_a_user_cannot_revoke_another_users_key(client: Client, agent: Any, collegue: Any):
    jeton, cle = JetonAPI.creer(collegue, "Le sien")
    client.force_login(agent)
    assert client.post(f"/profil/jetons/{jeton.pk}/revoquer/").status_code == 404
    assert api_avec(cle).get("/api/v1/conventions").status_code == 200


def test_a_key_expires_after_api_token_days(agent: Any, settings: Any) -> None:
    settings.API_TOKEN_DAYS = 30
    jeton, cle = JetonAPI.creer(agent, "Court")
    assert jeton.expire_le - jeton.cree_le == timedelta(days=30)
    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert api_avec(cle).get("/api/v1/conventions").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        reponse = api_avec(cle).get("/api/v1/conventions")
    assert reponse.status_code == 401
    assert "expiré" in reponse.json()["detail"]


def test_the_last_use_is_recorded(agent: Any) -> None:
    jeton, cle = JetonAPI.creer(agent, "Suivi")
    assert jeton.derniere_utilisation is None
    api_avec(cle).get("/api/v1/conventions")
    jeton.refresh_from_db()
    assert jeton.derniere_utilisation is not None


def test_an_unknown_key_is_refused(db: None) -> None:
    assert api_avec("inconnu").get("/api/v1/conventions").status_code == 401


def test_the_command_line_key_keeps_working(agent: Any) -> None:
    sortie = io.StringIO()
    call_command("token", agent.username, stdout=sortie)
    cle = sortie.getvalue().strip().splitlines()[-1]
    assert api_avec(cle).get("/api/v1/conventions").status_code == 200


def test_clear_text_tokens_are_migrated_to_hashed_keys(transactional_db: None) -> None:
    from django.core.management import call_command as commande

    from delegations.core.tests.factories import UserFactory

    commande("migrate", "core", "0002", verbosity=0)
    from rest_framework.authtoken.models import Token

    user = UserFactory()
    ancien = Token.objects.create(user=user).key
    commande("migrate", verbosity=0)
    assert not Token.objects.exists()
    assert api_avec(ancien).get("/api/v1/conventions").status_code == 200
    assert JetonAPI.objects.get(user=user).prefixe == ancien[:8]
