from django.urls import path

from . import views

app_name = "chorus"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.nouveau, name="nouveau"),
    path("traitement/<uuid:tache_id>/", views.tache, name="tache"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/comparaison/", views.comparaison, name="comparaison"),
    path("<int:pk>/export.<str:format>", views.exporter, name="export"),
    path("ecarts/<int:pk>/expliquer/", views.expliquer, name="expliquer"),
    path(
        "ecarts/<int:pk>/retirer-explication/",
        views.retirer_explication,
        name="retirer_explication",
    ),
    path("ecarts/<int:pk>/regulariser/", views.regulariser, name="regulariser"),
]
