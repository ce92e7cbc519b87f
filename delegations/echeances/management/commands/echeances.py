"""``delegations echeances --recalculer``: rebuild the stored deadlines (every night, and after a
bulk load that bypassed the ORM's signals)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.echeances.stockage import recalculer_tout


class Command(BaseCommand):
    help = (
        "Échéances calculées : « --recalculer » reconstruit toute la table à partir des "
        "conventions, comités et obligations. À lancer chaque nuit (les échéances des "
        "conventions sans date de fin et des comités de mission dépendent du jour)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--recalculer", action="store_true", help="Reconstruire toute la table."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["recalculer"]:
            raise CommandError("Précisez « --recalculer » pour reconstruire les échéances.")
        debut = time.perf_counter()
        lignes = recalculer_tout()
        self.stdout.write(
            self.style.SUCCESS(
                f"{lignes} échéance(s) recalculée(s) en {time.perf_counter() - debut:.1f} s."
            )
        )
