"""The queue's own daily task: parked uploads whose time has passed are deleted."""

from __future__ import annotations

from typing import Any

from delegations.core.parc import purger_tout

from .registre import Suivi, tache


@tache("Suppression des dépôts expirés", chaque_jour="PURGE_DEPOTS_HEURE")
def purger_depots(suivi: Suivi) -> dict[str, Any]:
    suivi.etape("Suppression des dépôts expirés")
    return {"supprimes": purger_tout()}
