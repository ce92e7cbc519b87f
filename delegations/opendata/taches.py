"""Tasks of the open data app: producing the public files off the request."""

from __future__ import annotations

from typing import Any

from delegations.taches.registre import Suivi, tache


@tache("Publication des données ouvertes et des statistiques")
def publier_donnees(suivi: Suivi) -> dict[str, Any]:
    from .publication import publier

    suivi.etape("Production du jeu de données et des statistiques")
    publication = publier()
    return {"version": publication.version, "conventions": publication.conventions}
