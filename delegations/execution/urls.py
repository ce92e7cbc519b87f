from django.urls import path

from . import referentiel, views

app_name = "execution"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("conventions/<int:pk>/situation/", views.situation, name="situation"),
    path(
        "conventions/<int:pk>/mise-a-disposition/",
        views.mise_a_disposition,
        name="mise_a_disposition",
    ),
    path("conventions/<int:pk>/bon-de-commande/", views.engagement_creer, name="engagement_creer"),
    path("conventions/<int:pk>/report/", views.report_creer, name="report_creer"),
    path("conventions/<int:pk>/credits-insuffisants/", views.informer, name="informer"),
    path("conventions/<int:pk>/cloturer/", views.cloturer, name="cloturer"),
    path("bons-de-commande/<int:pk>/", views.engagement_detail, name="engagement"),
    path(
        "bons-de-commande/<int:pk>/fin/<str:decision>/",
        views.suite_commande,
        name="suite_commande",
    ),
    path(
        "bons-de-commande/<int:pk>/service-fait/",
        views.service_fait_creer,
        name="service_fait_creer",
    ),
    path("bons-de-commande/<int:pk>/reduction/", views.reduction_creer, name="reduction_creer"),
    path("services-faits/<int:pk>/paiement/", views.paiement_creer, name="paiement_creer"),
    path("services-faits/<int:pk>/livrable/", views.livrable, name="livrable"),
    path(
        "propositions/<int:pk>/livrable/",
        views.livrable_proposition,
        name="livrable_proposition",
    ),
    path(
        "<str:nature>/<int:pk>/reference-chorus/",
        views.reference_chorus,
        name="reference_chorus",
    ),
    path("propositions/", views.propositions, name="propositions"),
    path(
        "propositions/<int:pk>/<str:decision>/",
        views.proposition_decider,
        name="proposition_decider",
    ),
    path("referentiel/", referentiel.referentiel, name="referentiel"),
    path("titulaires/nouveau/", referentiel.titulaire, name="titulaire_creer"),
    path("titulaires/<int:pk>/modifier/", referentiel.titulaire, name="titulaire_modifier"),
    path("marches/nouveau/", referentiel.marche, name="marche_creer"),
    path("marches/<int:pk>/modifier/", referentiel.marche, name="marche_modifier"),
    path("import/", views.importer, name="importer"),
    path("import/confirmer/", views.importer_confirmer, name="importer_confirmer"),
    path("import/simulation/<uuid:pk>/", views.import_simulation, name="import_simulation"),
    path("import/resultat/<uuid:pk>/", views.import_resultat, name="import_resultat"),
]
