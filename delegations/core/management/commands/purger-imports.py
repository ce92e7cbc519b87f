"""Delete the parked uploads whose confirmation time has passed (IMPORT_DUREE_HEURES)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from delegations.core.parc import purger_tout


class Command(BaseCommand):
    help = (
        "Supprime les fichiers déposés (imports, journaux CHORUS) en attente depuis plus de "
        "IMPORT_DUREE_HEURES heures."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purges = purger_tout()
        self.stdout.write(f"{purges} dépôt(s) expiré(s) supprimé(s).")
