from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "delegations.opendata"
    label = "opendata"
    verbose_name = "Données ouvertes"
    menu = [
        ("Conventions publiées", "opendata:conventions", True, False, "Données publiques"),
        ("Statistiques", "opendata:stats", True, False, "Données publiques"),
    ]

    def ready(self) -> None:
        from .publication import connecter

        connecter()
