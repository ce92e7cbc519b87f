"""Load fictional demo data. Each domain app may provide ``<app>.demo.charger(stdout)``;
they are called in INSTALLED_APPS order, so an app's data can rely on the apps it depends on."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "Charge les données de démonstration (fictives). Relancer ne crée pas de doublon."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV:
            raise CommandError(
                "Les données de démonstration ne se chargent qu'en développement "
                "(DELEGATIONS_DEV=1) : cette base est configurée pour la production."
            )
        with transaction.atomic():
            for config in apps.get_app_configs():
                if not config.name.startswith("delegations."):
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name == f"{config.name}.demo":
                        continue
                    raise
                module.charger(self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
