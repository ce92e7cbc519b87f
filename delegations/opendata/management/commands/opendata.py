"""``delegations opendata OUTDIR [--publier]``: write (and optionally publish) the data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.core.errors import RegleMetierError
from delegations.opendata import datagouv, paquet, publication
from delegations.opendata.donnees import tables


class Command(BaseCommand):
    help = (
        "Écrit le paquet de données Frictionless des conventions publiées (conventions.csv, echeancier.csv, "
        "datapackage.json) ; avec --publier, l'envoie sur data.gouv.fr (DATAGOUV_API_KEY, DATAGOUV_DATASET)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("outdir", nargs="?", help="Dossier où écrire les fichiers.")
        parser.add_argument(
            "--publier",
            action="store_true",
            help="Envoyer ou remplacer les ressources du jeu de données sur data.gouv.fr.",
        )
        parser.add_argument(
            "--servir",
            action="store_true",
            help="Produire les fichiers servis par /stats/ et /donnees/ (chaque nuit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["servir"]:
            servie = publication.publier()
            self.stdout.write(
                f"Données ouvertes et statistiques servies : version {servie.version} "
                f"({servie.conventions} ligne(s) de conventions)."
            )
            if not options["outdir"] and not options["publier"]:
                return
        if not options["outdir"] and not options["publier"]:
            raise CommandError("Indiquez un dossier de sortie (OUTDIR), --publier ou --servir.")
        donnees = tables()
        fichiers = paquet.contenus(donnees)
        if options["outdir"]:
            dossier = Path(options["outdir"])
            dossier.mkdir(parents=True, exist_ok=True)
            for nom, contenu in fichiers.items():
                (dossier / nom).write_bytes(contenu)
            self.stdout.write(
                f"{len(donnees.conventions)} ligne(s) de conventions, {len(donnees.echeancier)} ligne(s) "
                f"d'échéancier écrites dans {dossier}."
            )
        if options["publier"]:
            try:
                resultats = datagouv.publier(fichiers)
            except RegleMetierError as exc:
                raise CommandError(exc.message) from exc
            for r in resultats:
                verbe = "remplacée" if r.action == "remplace" else "créée"
                self.stdout.write(
                    f"{r.fichier} : ressource {verbe} sur data.gouv.fr ({r.ressource})."
                )
        self.stdout.write(self.style.SUCCESS("Terminé."))
