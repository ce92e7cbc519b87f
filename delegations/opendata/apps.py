from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "delegations.opendata"
    label = "opendata"
    verbose_name = "Données ouvertes"
    menu = [
        ("Conventions publiées", "opendata:conventions", True),
        ("Statistiques", "opendata:stats", True),
    ]

    def ready(self) -> None:
        from .publication import connecter

        connecter()
