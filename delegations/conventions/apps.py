from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "delegations.conventions"
    label = "conventions"
    verbose_name = "Conventions"
    menu = [
        ("Conventions", "conventions:liste", False),
        ("Administrations", "conventions:administrations", False),
    ]
