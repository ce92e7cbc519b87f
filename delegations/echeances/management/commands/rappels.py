"""Daily reminders of deadlines (run from cron). Idempotent: nothing is sent twice for a deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.echeances.rappels import envoyer_rappels


class Command(BaseCommand):
    help = (
        "Envoie par courriel les rappels d'échéances (proches ou dépassées) aux personnes concernées. "
        "À lancer chaque jour ; relancer n'envoie rien deux fois pour la même échéance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--jours",
            type=int,
            default=30,
            help="Rappeler les échéances des N prochains jours (30).",
        )
        parser.add_argument(
            "--retard",
            type=int,
            default=60,
            help="Signaler une fois les échéances dépassées depuis au plus N jours (60).",
        )
        parser.add_argument(
            "--date", help="Date du jour à utiliser (AAAA-MM-JJ), pour rattraper un envoi."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jours"] < 0 or options["retard"] < 0:
            raise CommandError("--jours et --retard doivent être positifs.")
        try:
            aujourd_hui = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(
                f"--date doit être au format AAAA-MM-JJ, pas « {options['date']} »."
            ) from exc
        bilan = envoyer_rappels(aujourd_hui, jours=options["jours"], retard=options["retard"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{bilan.courriels} courriel(s) envoyé(s), {bilan.rappels} rappel(s)."
            )
        )
