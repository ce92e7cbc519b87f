from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "delegations.redaction"
    label = "redaction"
    verbose_name = "Rédaction et courriers"
    panneaux_convention = ["redaction/_panneau_convention.html"]
    sommaire_convention = [("redaction", "Rédaction et courriers")]
    menu = [
        ("Contacts des délégants", "redaction:contacts", False, False, "Conventions"),
        ("Modèles de documents", "redaction:modeles", False, True, "Conventions"),
    ]

    def ready(self) -> None:
        from delegations.conventions.models import avenant_enregistre

        from .signals import obligation_copie_avenant

        avenant_enregistre.connect(
            obligation_copie_avenant, dispatch_uid="redaction_obligation_copie_avenant"
        )
