"""Publication of the data package on data.gouv.fr through its API (external system)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from delegations.core.errors import RegleMetierError

DELAI = 60


@dataclass
class Resultat:
    fichier: str
    action: str  # "cree" or "remplace"
    ressource: str


def _configuration() -> tuple[str, str, str]:
    cle = getattr(settings, "DATAGOUV_API_KEY", "")
    jeu = getattr(settings, "DATAGOUV_DATASET", "")
    url = getattr(settings, "DATAGOUV_API_URL", "https://www.data.gouv.fr/api/1").rstrip("/")
    if not cle:
        raise RegleMetierError(
            "datagouv_cle_absente",
            "Publication impossible : la clé d'API data.gouv.fr (variable DATAGOUV_API_KEY) "
            "n'est pas configurée.",
        )
    if not jeu:
        raise RegleMetierError(
            "datagouv_jeu_absent",
            "Publication impossible : le jeu de données data.gouv.fr (variable DATAGOUV_DATASET) "
            "n'est pas configuré.",
        )
    return url, cle, jeu


def _verifier(reponse: requests.Response, action: str) -> dict[str, Any]:
    if reponse.status_code >= 400:
        raise RegleMetierError(
            "datagouv_erreur",
            f"data.gouv.fr a refusé {action} (HTTP {reponse.status_code}) : {reponse.text[:300]}",
        )
    try:
        data = reponse.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def publier(fichiers: dict[str, bytes], session: requests.Session | None = None) -> list[Resultat]:
    """Upload each file as a resource of the dataset, replacing the resource with the same title."""
    url, cle, jeu = _configuration()
    http = session or requests.Session()
    entetes = {"X-API-KEY": cle}
    try:
        jeu_donnees = _verifier(
            http.get(f"{url}/datasets/{jeu}/", headers=entetes, timeout=DELAI),
            "la lecture du jeu de données",
        )
        existantes = {
            r.get("title"): r.get("id")
            for r in jeu_donnees.get("resources", [])
            if isinstance(r, dict)
        }
        resultats = []
        for nom, contenu in fichiers.items():
            type_mime = "application/json" if nom.endswith(".json") else "text/csv"
            envoi = {"file": (nom, contenu, type_mime)}
            if rid := existantes.get(nom):
                data = _verifier(
                    http.post(
                        f"{url}/datasets/{jeu}/resources/{rid}/upload/",
                        files=envoi,
                        headers=entetes,
                        timeout=DELAI,
                    ),
                    f"le remplacement de {nom}",
                )
                resultats.append(Resultat(nom, "remplace", str(data.get("id") or rid)))
            else:
                data = _verifier(
                    http.post(
                        f"{url}/datasets/{jeu}/upload/", files=envoi, headers=entetes, timeout=DELAI
                    ),
                    f"l'envoi de {nom}",
                )
                resultats.append(Resultat(nom, "cree", str(data.get("id") or "")))
    except requests.RequestException as exc:
        raise RegleMetierError(
            "datagouv_injoignable", f"data.gouv.fr est injoignable ({url}) : {exc}"
        ) from exc
    return resultats
