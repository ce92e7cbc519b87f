from django.urls import path

from . import views

app_name = "comites"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.creer, name="creer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/releve/", views.releve, name="releve"),
    path("<int:pk>/finaliser/", views.finaliser_vue, name="finaliser"),
    path("<int:pk>/corriger/", views.corriger_vue, name="corriger"),
    path("<int:pk>/resultats/", views.resultats, name="resultats"),
    path("<int:pk>/support/", views.fichier, {"quoi": "support"}, name="support"),
    path("<int:pk>/releve-signe/", views.fichier, {"quoi": "releve"}, name="releve_signe"),
    path("obligations/", views.obligations, name="obligations"),
    path("obligations/<int:pk>/", views.obligation_modifier, name="obligation_modifier"),
    path("obligations/<int:pk>/preuve/", views.preuve, name="preuve"),
    path("obligations/<int:pk>/retirer/", views.obligation_supprimer, name="obligation_supprimer"),
    path(
        "conventions/<int:convention_pk>/obligations/nouvelle/",
        views.obligation_ajouter,
        name="obligation_ajouter",
    ),
]
