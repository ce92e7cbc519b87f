from django.apps import AppConfig


class ChorusConfig(AppConfig):
    name = "delegations.chorus"
    label = "chorus"
    verbose_name = "Rapprochement CHORUS"
    menu = [("Rapprochement CHORUS", "chorus:liste", False, False, "Exécution")]
    # Lines of the monthly report to the délégant (see ARCHITECTURE.md, rapports hooks).
    lignes_rapport_mensuel = ["delegations.chorus.rapport.ecart_chorus"]
