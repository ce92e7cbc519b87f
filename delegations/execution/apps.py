from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "delegations.execution"
    label = "execution"
    verbose_name = "Exécution"
    panneaux_convention = ["execution/_panneau_convention.html"]
    sommaire_convention = [("execution", "Exécution des crédits")]
    resume_convention = ["execution/_resume_convention.html"]
    panneaux_produit = ["execution/_panneau_produit.html"]
    menu = [
        ("Mouvements", "execution:liste", False, False, "Exécution"),
        ("Titulaires et marchés", "execution:referentiel", False, True, "Exécution"),
    ]

    def ready(self) -> None:
        from delegations.conventions.models import avenant_enregistre

        from .signals import reprise_apres_avenant

        avenant_enregistre.connect(
            reprise_apres_avenant, dispatch_uid="execution_reprise_apres_avenant"
        )
