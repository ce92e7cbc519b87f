from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "delegations.execution"
    label = "execution"
    verbose_name = "Exécution"
    panneaux_convention = ["execution/_panneau_convention.html"]
    panneaux_produit = ["execution/_panneau_produit.html"]
    menu = [
        ("Exécution", "execution:liste", False),
        ("Titulaires et marchés", "execution:referentiel", False, True),
    ]
