"""Backfill the standard obligations on existing conventions (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from delegations.comites.ecriture import creer_obligations_standard
from delegations.conventions.models import Convention


class Command(BaseCommand):
    help = "Crée les obligations types manquantes sur les conventions existantes (relancer ne crée pas de doublon)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for convention in Convention.objects.prefetch_related("avenants").iterator(chunk_size=200):
            total += creer_obligations_standard(convention)
        self.stdout.write(self.style.SUCCESS(f"{total} obligation(s) créée(s)."))
