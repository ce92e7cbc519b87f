from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("conventions-publiques/", views.conventions, name="conventions"),
    path("conventions-publiques/<int:pk>/", views.convention, name="convention"),
    path("conventions-publiques/documents/<int:pk>/", views.document, name="document"),
    path("donnees/datapackage.zip", views.paquet_zip, name="paquet"),
    path("donnees/<str:nom>", views.fichier, name="fichier"),
    path("stats/", views.statistiques, name="stats"),
]
