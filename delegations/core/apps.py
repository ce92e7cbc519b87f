from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "delegations.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self) -> None:
        # Signal receivers (the idle-session clock starts at login).
        from . import securite  # noqa: F401
        from .api import exiger_les_types_json

        exiger_les_types_json()
