from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "delegations.core"
    label = "core"
    verbose_name = "Socle"
