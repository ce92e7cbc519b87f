from django.apps import AppConfig


class ComitesConfig(AppConfig):
    name = "delegations.comites"
    label = "comites"
    verbose_name = "Comites"
