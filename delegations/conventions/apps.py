from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "delegations.conventions"
    label = "conventions"
    verbose_name = "Conventions"
    menu = [
        ("Registre des conventions", "conventions:liste", False, False, "Conventions"),
        ("Administrations", "conventions:administrations", False, False, "Conventions"),
    ]
