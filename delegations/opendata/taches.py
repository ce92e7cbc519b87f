"""Tasks of the open data app: producing the public files off the request."""

from __future__ import annotations

from typing import Any

from delegations.core.errors import RegleMetierError
from delegations.taches.registre import ErreurTache, Suivi, tache


@tache("Publication des données ouvertes et des statistiques", chaque_jour="DONNEES_SERVIES_HEURE")
def publier_donnees(suivi: Suivi) -> dict[str, Any]:
    from .publication import publier

    suivi.etape("Production du jeu de données et des statistiques")
    publication = publier()
    return {"version": publication.version, "conventions": publication.conventions}


@tache("Publication sur data.gouv.fr", chaque_jour="DATAGOUV_PUBLICATION_HEURE")
def publier_sur_datagouv(suivi: Suivi) -> dict[str, Any]:
    """``delegations opendata --publier`` from a worker: the package of published conventions
    sent to data.gouv.fr, each resource replaced by its new version."""
    from . import datagouv, paquet
    from .donnees import tables

    suivi.etape("Production du paquet de données")
    fichiers = paquet.contenus(tables())
    suivi.etape("Envoi sur data.gouv.fr")
    try:
        resultats = datagouv.publier(fichiers)
    except RegleMetierError as exc:
        raise ErreurTache(exc.message) from exc
    return {"ressources": [{"fichier": r.fichier, "action": r.action} for r in resultats]}
