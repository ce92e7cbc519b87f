from django.apps import AppConfig


class RapportsConfig(AppConfig):
    name = "delegations.rapports"
    label = "rapports"
    verbose_name = "Rapports au délégant"
    panneaux_convention = ["rapports/_panneau_convention.html"]
    sommaire_convention = [("rapports", "Comptes rendus")]
