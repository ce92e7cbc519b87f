from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.core.sauvegarde import SauvegardeError, sauvegarder


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (pg_dump au format custom, ou copie SQLite) et les "
        "fichiers stockés dans DOSSIER, avec un manifeste des empreintes SHA-256."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dossier", help="dossier neuf (créé s'il n'existe pas)")
        parser.add_argument("--database", default="default", help="alias de la base")

    def handle(self, *args: Any, **options: Any) -> None:
        dossier = Path(options["dossier"])
        try:
            manifeste = sauvegarder(dossier, alias=options["database"])
        except SauvegardeError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Sauvegarde écrite dans {dossier} : base {manifeste['moteur']}, "
                f"{len(manifeste['fichiers'])} fichier(s) stocké(s)."
            )
        )
