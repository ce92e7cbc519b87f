from django.urls import path

from . import api, documentation

urlpatterns = [
    path("public/conventions", api.ConventionsPubliquesView.as_view(), name="public_conventions"),
    path(
        "public/conventions/<int:pk>",
        api.ConventionPubliqueView.as_view(),
        name="public_convention",
    ),
    path("docs/", documentation.DocumentationView.as_view(), name="docs"),
    path("docs/ressources/<str:nom>", documentation.ressource, name="docs_ressource"),
]
