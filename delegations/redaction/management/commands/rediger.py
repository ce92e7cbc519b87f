"""``delegations rediger ID [--avenant N] --format docx|pdf --output FILE``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.conventions.models import Avenant, Convention
from delegations.redaction.documents import FORMATS, produire


class Command(BaseCommand):
    help = (
        "Rédige le texte d'une convention ou d'un de ses avenants depuis le registre (DOCX ou PDF)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("convention_id", type=int, help="Identifiant de la convention.")
        parser.add_argument("--avenant", type=int, metavar="N", help="Numéro de l'avenant.")
        parser.add_argument("--format", choices=FORMATS, default="docx")
        parser.add_argument("--output", required=True, help="Fichier à écrire.")

    def handle(self, *args: Any, **options: Any) -> None:
        convention = (
            Convention.objects.select_related("delegant", "delegataire")
            .filter(pk=options["convention_id"])
            .first()
        )
        if convention is None:
            raise CommandError(f"Aucune convention n° {options['convention_id']}.")
        avenant = None
        if options["avenant"] is not None:
            avenant = Avenant.objects.filter(
                convention=convention, numero=options["avenant"]
            ).first()
            if avenant is None:
                raise CommandError(
                    f"La convention n° {convention.pk} n'a pas d'avenant n° {options['avenant']}."
                )
        produit = produire(convention, avenant, options["format"])
        sortie = Path(options["output"])
        sortie.write_bytes(produit.contenu)
        moteur = f", PDF par {produit.moteur}" if produit.moteur else ""
        self.stdout.write(self.style.SUCCESS(f"{sortie} écrit ({produit.version}{moteur})."))
