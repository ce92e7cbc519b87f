from __future__ import annotations

from django.apps import AppConfig


class LectureConfig(AppConfig):
    name = "delegations.lecture"
    label = "lecture"
    verbose_name = "Lecture des conventions"
    default_auto_field = "django.db.models.BigAutoField"
    panneaux_convention = ["lecture/_panneau_convention.html"]
    sommaire_convention = [("documents", "Documents")]
    menu = [("Importer un document", "lecture:importer", False, True, "Conventions")]
