from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.core.sauvegarde import SauvegardeError, migrations_en_attente, restaurer


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde faite par « delegations sauvegarde » : vérifie les empreintes "
        "SHA-256 du manifeste, puis charge la base et les fichiers stockés. Refuse une base "
        "cible qui contient des données, sauf avec --ecraser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="dossier écrit par « delegations sauvegarde »")
        parser.add_argument(
            "--ecraser",
            action="store_true",
            help="remplacer une base (et des fichiers) qui contiennent déjà des données",
        )
        parser.add_argument("--database", default="default", help="alias de la base")

    def handle(self, *args: Any, **options: Any) -> None:
        dossier = Path(options["dossier"])
        try:
            manifeste = restaurer(dossier, ecraser=options["ecraser"], alias=options["database"])
        except SauvegardeError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde du {manifeste['cree_le'][:10]} restaurée : base "
                f"{manifeste['moteur']}, {len(manifeste['fichiers'])} fichier(s) stocké(s)."
            )
        )
        if migrations_en_attente(options["database"]):
            self.stdout.write(
                "La sauvegarde précède des migrations de cette version : lancez "
                "« delegations migrate »."
            )
