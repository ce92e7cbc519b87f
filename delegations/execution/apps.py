from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "delegations.execution"
    label = "execution"
    verbose_name = "Execution"
