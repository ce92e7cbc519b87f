from django.apps import AppConfig


class EcheancesConfig(AppConfig):
    name = "delegations.echeances"
    label = "echeances"
    verbose_name = "Échéances"
    menu = [("À faire", "echeances:tableau", False)]
    resume_convention = ["echeances/_resume_convention.html"]

    def ready(self) -> None:
        from .stockage import connecter

        connecter()
