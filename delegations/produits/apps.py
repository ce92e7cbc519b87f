from django.apps import AppConfig


class ProduitsConfig(AppConfig):
    name = "delegations.produits"
    label = "produits"
    verbose_name = "Produits"
    menu = [("Produits", "produits:liste", False, False, "Produits")]
