"""Tasks of the reader: reading an uploaded document off the request (page and API)."""

from __future__ import annotations

from typing import Any

from delegations.conventions.api import conventions_visibles
from delegations.core.models import User
from delegations.taches.models import Tache
from delegations.taches.registre import ErreurTache, Suivi, lancer, tache

from . import importation
from .extraction import ExtractionError


def charge_utile(lecture: importation.Lecture, user: User | None) -> dict[str, Any]:
    """The review payload: the contract's keys, the confirmation token, the candidates."""
    visibles = set(conventions_visibles(user).values_list("pk", flat=True)) if user else set()
    return {
        **lecture.extraction,
        "import": f"{lecture.sha256}{lecture.extension}",
        "nom_fichier": lecture.nom_original,
        "conventions_candidates": [c.pk for c in lecture.candidats if c.pk in visibles],
    }


@tache("Lecture d'un document", page_resultat="lecture:revue")
def lire_document(suivi: Suivi, sha256: str, extension: str, nom_original: str) -> dict[str, Any]:
    def progression(fait: int, total: int) -> None:
        if fait < total:
            etape = f"Lecture de la page {fait + 1} sur {total}"
        else:
            etape = f"Analyse du texte ({total} page{'s' if total > 1 else ''} lue{'s' if total > 1 else ''})"
        suivi.progresser(fait, total, etape)

    suivi.etape("Lecture du document")
    try:
        lecture = importation.lire_depot(
            importation.Depot(sha256, nom_original, extension), progression=progression
        )
    except ExtractionError as exc:
        raise ErreurTache(str(exc)) from exc
    return charge_utile(lecture, suivi.proprietaire)


def lancer_lecture(depot: importation.Depot, user: User) -> Tache:
    # The same file posted twice by the same user while it is read is one task.
    return lancer(
        lire_document,
        user,
        depot.sha256,
        depot.extension,
        depot.nom_original,
        libelle=f"Lecture de « {depot.nom_original[:200]} »",
        cle=f"lecture:{depot.jeton}",
    )
