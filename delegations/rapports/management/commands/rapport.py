"""``delegations rapport CONVENTION_ID [--periode 2026-05] [--nature mensuel|terme] --format pdf --output FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.conventions.models import Convention
from delegations.rapports import exports
from delegations.rapports.donnees import NATURES, construire, lire_periode


class Command(BaseCommand):
    help = "Produit le rapport au délégant d'une convention (mensuel ou de fin de convention) en PDF, ODS, XLSX ou HTML."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("convention_id", type=int, help="Identifiant de la convention.")
        parser.add_argument(
            "--periode", help="Mois du rapport mensuel, AAAA-MM (par défaut : le mois en cours)."
        )
        parser.add_argument(
            "--nature",
            choices=sorted(NATURES),
            default="mensuel",
            help="mensuel (par défaut) ou terme (rapport de fin de convention).",
        )
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="pdf")
        parser.add_argument("--output", required=True, help="Fichier à écrire.")

    def handle(self, *args: Any, **options: Any) -> None:
        convention = (
            Convention.objects.select_related("delegant", "delegataire")
            .filter(pk=options["convention_id"])
            .first()
        )
        if convention is None:
            raise CommandError(f"Aucune convention n° {options['convention_id']}.")
        periode = lire_periode(options["periode"])
        if options["periode"] and periode is None:
            raise CommandError(
                f"Période invalide : « {options['periode']} » (attendu : AAAA-MM, par exemple 2026-05)."
            )
        rapport = construire(convention, options["nature"], periode)
        sortie = Path(options["output"])
        sortie.write_bytes(exports.exporter(rapport, options["format"]))
        self.stdout.write(self.style.SUCCESS(f"{rapport.titre} écrit dans {sortie}."))
