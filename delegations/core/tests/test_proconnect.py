"""ProConnect login against a real OpenID Connect provider (panva/oidc-provider on Node),
started by these tests and configured as ProConnect is (RS256, userinfo as a signed JWT, acr
eidas1). Skipped, saying why, when node or npm is missing."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.test import Client

from delegations.core import proconnect
from delegations.core.models import Role, User
from delegations.core.tests.factories import AdministrationFactory, UserFactory

DOSSIER = Path(__file__).parent / "oidc"
RP = "http://localhost"


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fournisseur() -> Iterator[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node et npm sont nécessaires pour lancer le fournisseur OpenID de test")
    if not (DOSSIER / "node_modules" / "oidc-provider").is_dir():
        installation = subprocess.run(  # noqa: S603 - fixed command
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=DOSSIER,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if installation.returncode != 0:
            pytest.skip(
                f"npm ci a échoué (registre npm injoignable ?) : {installation.stderr[-300:]}"
            )
    port = port_libre()
    processus = subprocess.Popen(  # noqa: S603 - fixed command
        [node, "fournisseur.mjs", str(port), f"{RP}/oidc/callback/", f"{RP}/connexion/"],
        cwd=DOSSIER,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    emetteur = f"http://127.0.0.1:{port}"
    try:
        # Node may start slowly on a loaded machine: wait up to a minute, unless it exited.
        limite = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{emetteur}/.well-known/openid-configuration", timeout=5)
                break
            except requests.RequestException:
                if processus.poll() is not None or time.monotonic() > limite:
                    sortie = processus.stdout.read().decode() if processus.stdout else ""
                    pytest.fail(f"le fournisseur OpenID de test n'a pas démarré : {sortie[-500:]}")
                time.sleep(0.2)
        yield emetteur
    finally:
        processus.terminate()
        processus.wait(timeout=10)


@pytest.fixture
def proconnect_actif(fournisseur: str, settings: Any) -> Iterator[str]:
    settings.PROCONNECT_ISSUER = fournisseur
    settings.OIDC_RP_CLIENT_ID = "delegations"
    settings.OIDC_RP_CLIENT_SECRET = "secret-de-test"  # noqa: S105
    proconnect.oublier_configuration()
    yield fournisseur
    proconnect.oublier_configuration()


def navigateur() -> Client:
    return Client(HTTP_HOST="localhost")


def aller_chez_le_fournisseur(
    client: Client, emetteur: str, email: str, session: requests.Session | None = None
) -> tuple[str, str]:
    """Starts the login on our side, lets the provider log ``email`` in; returns the
    authorization request and the callback URL (path and query) the provider sends back to."""
    requests.get(f"{emetteur}/test/compte", params={"email": email}, timeout=5)
    depart = client.get("/oidc/authenticate/")
    assert depart.status_code == 302
    demande = depart["Location"]
    session = session or requests.Session()
    url = demande
    for _ in range(10):
        reponse = session.get(url, allow_redirects=False, timeout=5)
        assert reponse.status_code in (302, 303), reponse.text[:500]
        url = urljoin(url, reponse.headers["Location"])
        if url.startswith(f"{RP}/"):
            morceaux = urlsplit(url)
            return demande, urlunsplit(("", "", morceaux.path, morceaux.query, ""))
    raise AssertionError("le fournisseur n'a pas renvoyé vers Délégations")


@pytest.mark.django_db
def test_a_known_agent_logs_in_with_proconnect(proconnect_actif: str) -> None:
    agent = UserFactory(email="agent@exemple.gouv.fr", role="delegant")
    client = navigateur()
    demande, retour = aller_chez_le_fournisseur(client, proconnect_actif, "Agent@Exemple.gouv.fr")
    parametres = parse_qs(urlsplit(demande).query)
    assert parametres["scope"] == ["openid email given_name usual_name siret uid"]
    assert parametres["acr_values"] == ["eidas1"]
    assert parametres["nonce"][0]
    assert parametres["state"][0]
    reponse = client.get(retour)
    assert reponse.status_code == 302
    assert reponse["Location"] == "/conventions/"
    assert client.session["_auth_user_id"] == str(agent.pk)
    agent.refresh_from_db()
    # given_name and usual_name come from the userinfo, which the provider signs (JWT).
    assert (agent.first_name, agent.last_name) == ("Camille", "Agent")
    assert client.get("/conventions/").status_code == 200


@pytest.mark.django_db
def test_an_unknown_agent_gets_an_account_waiting_for_access(proconnect_actif: str) -> None:
    client = navigateur()
    _, retour = aller_chez_le_fournisseur(client, proconnect_actif, "nouvelle@exemple.gouv.fr")
    assert client.get(retour).status_code == 302
    compte = User.objects.get(email="nouvelle@exemple.gouv.fr")
    assert compte.role == Role.ATTENTE
    assert not compte.has_usable_password()
    liste = client.get("/conventions/")
    assert liste.status_code == 302
    assert liste["Location"] == "/en-attente/"
    attente = client.get("/en-attente/").content.decode()
    assert "Un administrateur de Délégations doit vous attribuer un rôle" in attente
    api = client.get("/api/v1/conventions")
    assert api.status_code == 403
    assert api.json()["code"] == "acces_en_attente"


@pytest.mark.django_db
def test_a_callback_with_another_state_is_refused(proconnect_actif: str) -> None:
    UserFactory(email="agent@exemple.gouv.fr", role="delegant")
    client = navigateur()
    _, retour = aller_chez_le_fournisseur(client, proconnect_actif, "agent@exemple.gouv.fr")
    chemin, requete = retour.split("?", 1)
    parametres = parse_qs(requete)
    falsifie = f"{chemin}?code={parametres['code'][0]}&state=etat-forge"
    reponse = Client(HTTP_HOST="localhost", raise_request_exception=False)
    reponse.cookies = client.cookies
    resultat = reponse.get(falsifie)
    assert resultat.status_code == 400
    assert "Requête invalide" in resultat.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_token_signed_by_another_key_is_refused(proconnect_actif: str) -> None:
    UserFactory(email="agent@exemple.gouv.fr", role="delegant")
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    _, retour = aller_chez_le_fournisseur(client, proconnect_actif, "agent@exemple.gouv.fr")
    # The provider's keys replaced by another key with the same key id.
    document = dict(proconnect.configuration())
    document["jwks_uri"] = f"{proconnect_actif}/test/autre-jwks"
    proconnect._cache[proconnect_actif] = (time.monotonic(), document)
    reponse = client.get(retour)
    assert reponse.status_code == 400
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_ends_the_session_at_the_provider_too(proconnect_actif: str) -> None:
    UserFactory(email="agent@exemple.gouv.fr", role="delegant")
    client = navigateur()
    chez_le_fournisseur = requests.Session()
    _, retour = aller_chez_le_fournisseur(
        client, proconnect_actif, "agent@exemple.gouv.fr", chez_le_fournisseur
    )
    client.get(retour)
    id_token = client.session["oidc_id_token"]
    reponse = client.post("/deconnexion/")
    assert reponse.status_code == 302
    fin = urlsplit(reponse["Location"])
    assert f"{fin.scheme}://{fin.netloc}{fin.path}" == f"{proconnect_actif}/session/end"
    parametres = parse_qs(fin.query)
    assert parametres["id_token_hint"] == [id_token]
    assert parametres["post_logout_redirect_uri"] == [f"{RP}/connexion/"]
    assert "_auth_user_id" not in client.session
    # At the provider: the hint is accepted (its logout confirmation), then its session ends
    # and it sends the browser back to our login page.
    confirmation = chez_le_fournisseur.get(reponse["Location"], timeout=5)
    assert "deconnexion-confirmee" in confirmation.text
    champs = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', confirmation.text))
    action = re.search(r'action="([^"]+)"', confirmation.text)
    assert action is not None
    fini = chez_le_fournisseur.post(
        urljoin(reponse["Location"], action.group(1)),
        data={**champs, "logout": "yes"},
        allow_redirects=False,
        timeout=5,
    )
    assert fini.headers["Location"].startswith(f"{RP}/connexion/")
    # A new authorization now asks the provider to log in again (no provider session left).
    depart = client.get("/oidc/authenticate/")
    nouvelle = chez_le_fournisseur.get(depart["Location"], allow_redirects=False, timeout=5)
    assert "/interaction/" in nouvelle.headers["Location"]


@pytest.mark.django_db
def test_without_proconnect_the_button_is_hidden_and_the_route_absent(settings: Any) -> None:
    settings.PROCONNECT_ISSUER = ""
    client = Client()
    assert "S’identifier avec" not in client.get("/connexion/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404


@pytest.mark.django_db
def test_with_proconnect_the_login_page_shows_the_button(settings: Any) -> None:
    settings.PROCONNECT_ISSUER = "http://127.0.0.1:9"
    page = Client().get("/connexion/").content.decode()
    assert 'href="/oidc/authenticate/"' in page
    assert "ProConnect" in page


@pytest.mark.django_db
def test_an_administrator_grants_a_role_and_administrations(client: Client) -> None:
    admin = UserFactory(role="admin")
    attente = UserFactory(role=Role.ATTENTE, email="nouvelle@exemple.gouv.fr")
    ministere = AdministrationFactory()
    client.force_login(admin)
    assert "nouvelle@exemple.gouv.fr" in client.get("/utilisateurs/").content.decode()
    reponse = client.post(
        f"/utilisateurs/{attente.pk}/",
        {"role": "delegant", "administrations": [ministere.pk], "is_active": "on"},
    )
    assert reponse.status_code == 302
    attente.refresh_from_db()
    assert attente.role == "delegant"
    assert list(attente.administrations.all()) == [ministere]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["finance", "delegant", "intrapreneur", Role.ATTENTE])
def test_only_administrators_grant_access(client: Client, role: str) -> None:
    cible = UserFactory(role=Role.ATTENTE)
    client.force_login(UserFactory(role=role))
    attendu = 302 if role == Role.ATTENTE else 403
    assert client.get("/utilisateurs/").status_code == attendu
    assert client.post(f"/utilisateurs/{cible.pk}/", {"role": "finance"}).status_code == attendu
    cible.refresh_from_db()
    assert cible.role == Role.ATTENTE
