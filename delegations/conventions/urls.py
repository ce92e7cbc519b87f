from django.urls import path

from . import views

app_name = "conventions"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouvelle/", views.creer, name="creer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/sections/<slug:nom>/", views.section, name="section"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/avenants/nouveau/", views.avenant_creer, name="avenant_creer"),
    path("<int:pk>/statut/<str:action>/", views.transition, name="transition"),
    path(
        "<int:pk>/avenants/<int:numero>/<str:action>/",
        views.avenant_action,
        name="avenant_action",
    ),
    path("administrations/", views.administrations, name="administrations"),
    path("administrations/nouvelle/", views.administration_formulaire, name="administration_creer"),
    path(
        "administrations/<int:pk>/modifier/",
        views.administration_formulaire,
        name="administration_modifier",
    ),
]
