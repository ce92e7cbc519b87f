from django.apps import AppConfig
from django.db.models.signals import post_save


class ComitesConfig(AppConfig):
    name = "delegations.comites"
    label = "comites"
    verbose_name = "Comités et obligations"
    menu = [
        ("Comités d'investissement", "comites:liste", False, False, "Produits"),
        ("Obligations", "comites:obligations", False, False, "Produits"),
    ]
    panneaux_convention = ["comites/_panneau_convention.html"]
    sommaire_convention = [("comites", "Comités d'investissement"), ("obligations", "Obligations")]
    panneaux_produit = ["comites/_panneau_produit.html"]

    def ready(self) -> None:
        from .signals import obligations_de_la_convention

        post_save.connect(
            obligations_de_la_convention,
            sender="conventions.Convention",
            dispatch_uid="comites_obligations_de_la_convention",
        )
