"""``delegations bench-data``: fictional conventions and movements in bulk, for the benchmark."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from delegations.execution.benchdata import generer


class Command(BaseCommand):
    help = "Génère des conventions et des mouvements fictifs en masse (banc d'essai). Ne pas lancer en production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conventions", type=int, default=10_000)
        parser.add_argument("--mouvements", type=int, default=1_000_000)

    def handle(self, *args: Any, **options: Any) -> None:
        generer(options["conventions"], options["mouvements"], self.stdout)
