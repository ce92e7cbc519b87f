"""Delete the parked import files whose confirmation time has passed (IMPORT_DUREE_HEURES)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from delegations.execution.importation import purger_expires


class Command(BaseCommand):
    help = "Supprime les fichiers d'import en attente depuis plus de IMPORT_DUREE_HEURES heures."

    def handle(self, *args: Any, **options: Any) -> None:
        purges = purger_expires()
        self.stdout.write(f"{purges} dépôt(s) d'import expiré(s) supprimé(s).")
