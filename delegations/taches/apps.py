from __future__ import annotations

from django.apps import AppConfig


class TachesConfig(AppConfig):
    name = "delegations.taches"
    label = "taches"
    verbose_name = "Traitements longs"
    default_auto_field = "django.db.models.BigAutoField"
    menu = [("Mes traitements", "taches:liste", False)]

    def ready(self) -> None:
        # Each app declares its tasks in ``<app>/taches.py``: importing them here fills the
        # registry (labels, result pages) in web processes too, without importing the apps.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("taches")
