"""Tasks of the deadlines app: the daily reminders leave from a worker, not from cron."""

from __future__ import annotations

from typing import Any

from delegations.taches.registre import Suivi, tache

from .rappels import envoyer_rappels


@tache("Rappels d'échéances", chaque_jour="RAPPELS_HEURE")
def envoyer_rappels_du_jour(suivi: Suivi) -> dict[str, Any]:
    """Idempotent: a deadline already reminded to someone is never reminded twice, so a retried
    task sends only what is left."""
    suivi.etape("Envoi des rappels")
    bilan = envoyer_rappels()
    return {"courriels": bilan.courriels, "rappels": bilan.rappels}
