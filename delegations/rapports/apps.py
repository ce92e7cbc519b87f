from django.apps import AppConfig


class RapportsConfig(AppConfig):
    name = "delegations.rapports"
    label = "rapports"
    verbose_name = "Rapports au délégant"
    panneaux_convention = ["rapports/_panneau_convention.html"]
    sommaire_convention = [("rapports", "Comptes rendus")]
    # « À faire » drops a report once it is marked as sent (``echeances`` reads these, never
    # imports ``rapports``): the function giving the reports sent, and the model whose changes
    # refresh the stored deadlines of its convention.
    comptes_rendus_transmis = "delegations.rapports.suivi.comptes_rendus_transmis"
    modeles_des_echeances = ["rapports.Transmission"]
