from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "delegations.opendata"
    label = "opendata"
    verbose_name = "Opendata"
