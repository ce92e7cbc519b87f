"""Tasks of the CHORUS app: a reconciliation reads and matches its journals off the request.

The page and the API park the uploaded journals (``core.parc``, under names of ours), queue
``rapprocher_journaux`` with the tokens and answer at once; the task reads the parked files,
matches them with the register, keeps the reconciliation and forgets the files."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from delegations.core import parc
from delegations.core.acces import exiger_ecriture
from delegations.core.errors import RegleMetierError
from delegations.core.models import User
from delegations.taches.models import Tache
from delegations.taches.registre import ErreurTache, Suivi, lancer, tache

from . import services
from .models import Rapprochement

DOSSIER_PARC = f"{parc.RACINE}/chorus"
# A 100 000-line journal is about 25 MB as CSV: the execution imports' cap is too small here.
MAX_OCTETS = 50_000_000
ECRITURE = "Seuls les agents finance de la DINUM rapprochent CHORUS."


def parquer(fichiers: list[tuple[str, bytes]], user: User) -> list[str]:
    """Park the journals of ``user``; returns their tokens (nothing parked if one is refused)."""
    services.verifier_nombre(fichiers)
    parcs: list[parc.Parc] = []
    try:
        for nom, contenu in fichiers:
            parcs.append(parc.parquer(DOSSIER_PARC, contenu, "journal", nom, user, MAX_OCTETS))
    except RegleMetierError:
        for p in parcs:
            parc.oublier(p)
        raise
    return [p.jeton for p in parcs]


def _oublier(parcs: list[parc.Parc]) -> None:
    for p in parcs:
        parc.oublier(p)


@tache("Rapprochement CHORUS", page_resultat="chorus:tache", atomique=True)
def rapprocher_journaux(
    suivi: Suivi, jetons: list[str], convention_id: int | None = None, uo: str | None = None
) -> dict[str, Any]:
    """Read, match and keep (in one transaction with the task's « terminée »), then forget the
    parked files. A refused journal ends the task in « échec » with the French reason."""
    user = suivi.proprietaire
    fichiers: list[tuple[str, bytes]] = []
    parcs: list[parc.Parc] = []
    try:
        for i, jeton in enumerate(jetons):
            p, contenu = parc.retrouver(DOSSIER_PARC, jeton, user)
            suivi.progresser(i, len(jetons), f"Lecture du journal {p.nom}")
            parcs.append(p)
            fichiers.append((p.nom, contenu))
        suivi.etape("Rapprochement avec le registre")
        pk = services.lancer_rapprochement(
            fichiers,
            user.pk if user is not None else None,
            convention_id=convention_id,
            uo=uo,
        )
    except RegleMetierError as exc:
        raise ErreurTache(exc.message) from exc
    rapprochement = Rapprochement.objects.get(pk=pk)
    if user is not None:
        services.journaliser_rapprochement(rapprochement, user)
    # The parked files go once the reconciliation has committed (a retried task still finds them).
    transaction.on_commit(lambda: _oublier(parcs))
    return {
        "rapprochement": rapprochement.pk,
        "lignes": rapprochement.nb_lignes,
        "ecarts": rapprochement.nb_ecarts,
    }


def lancer_rapprochement(
    fichiers: list[tuple[str, bytes]],
    user: User,
    convention_id: int | None = None,
    uo: str | None = None,
) -> Tache:
    """Check what can be checked at once (rights, scope), park the journals, queue the task."""
    exiger_ecriture(user, ECRITURE)
    services.verifier_perimetre(convention_id, uo)
    jetons = parquer(fichiers, user)
    noms = ", ".join(nom for nom, _ in fichiers)
    return lancer(
        rapprocher_journaux,
        user,
        jetons,
        convention_id,
        uo,
        libelle=f"Rapprochement CHORUS de {noms}"[:255],
    )
