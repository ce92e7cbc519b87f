"""Tasks of the drafting app: a letter leaves through the task queue, never in the request."""

from __future__ import annotations

from typing import Any

from delegations.core.models import User
from delegations.taches.models import Tache
from delegations.taches.registre import ErreurTache, Suivi, lancer, tache

from .courriers import envoyer_courrier
from .models import Courrier, StatutCourrier


@tache("Envoi d'un courrier au délégant", page_resultat="redaction:courrier_tache")
def envoyer(suivi: Suivi, courrier_id: int) -> dict[str, Any]:
    """Send one prepared letter. Idempotent: a letter already sent never leaves twice, so a
    worker presumed dead and its retry send it once."""
    suivi.etape("Envoi du courriel")
    courrier = envoyer_courrier(courrier_id)
    if courrier.statut != StatutCourrier.ENVOYE:
        raise ErreurTache(f"Le courrier n'est pas parti : {courrier.erreur}")
    return {"courrier": courrier.pk}


def lancer_envoi(courrier: Courrier, user: User) -> Tache:
    """Queue the sending of ``courrier`` (posted twice: queued once). A letter whose sending
    failed goes back to « à envoyer » while it waits again."""
    Courrier.objects.filter(pk=courrier.pk, statut=StatutCourrier.ECHEC).update(
        statut=StatutCourrier.A_ENVOYER
    )
    return lancer(
        envoyer,
        user,
        courrier.pk,
        libelle=f"Envoi du courrier « {courrier.objet} »"[:255],
        cle=f"courrier:{courrier.pk}",
    )
