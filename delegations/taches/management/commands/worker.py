"""``delegations worker [--processes N]``: run the task queue's worker processes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.taches.travailleur import Superviseur, travailler


class Command(BaseCommand):
    help = (
        "Exécute les traitements longs mis en file (lecture des documents, imports, rapports…). "
        "Plusieurs processus, sur une ou plusieurs machines, se partagent la même file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="Nombre de processus de traitement (défaut : TACHES_PROCESSUS, ou 1).",
        )
        parser.add_argument(
            "--intervalle",
            type=float,
            default=0.5,
            help="Secondes d'attente quand la file est vide (défaut : 0,5).",
        )
        parser.add_argument(
            "--lot",
            action="store_true",
            help="Exécute les traitements en attente puis s'arrête.",
        )
        parser.add_argument(
            "--max-taches", type=int, default=None, help="S'arrête après ce nombre de traitements."
        )
        # Internal: the process that started this worker; the worker stops when it is gone.
        parser.add_argument("--suivre-parent", type=int, default=None, help="(interne)")

    def handle(self, *args: Any, **options: Any) -> None:
        nombre = options["processes"]
        if nombre is None:
            nombre = settings.TACHES_PROCESSUS
        if nombre < 1:
            raise CommandError("--processes doit valoir au moins 1.")
        if options["intervalle"] < 0:
            raise CommandError("--intervalle doit être positif.")
        if nombre == 1:
            travailler(
                intervalle=options["intervalle"],
                lot=options["lot"],
                max_taches=options["max_taches"],
                parent=options["suivre_parent"],
            )
            return
        transmises = ["--intervalle", str(options["intervalle"])]
        if options["lot"]:
            transmises.append("--lot")
        if options["max_taches"] is not None:
            transmises += ["--max-taches", str(options["max_taches"])]
        self.stdout.write(f"{nombre} processus de traitement démarrés.")
        Superviseur(nombre, transmises).run()
