from django.urls import path

from . import views
from .proconnect import Deconnexion

app_name = "core"
urlpatterns = [
    path("", views.accueil, name="accueil"),
    path("connexion/", views.ConnexionView.as_view(), name="login"),
    path("deconnexion/", Deconnexion.as_view(), name="logout"),
    path("en-attente/", views.en_attente, name="en_attente"),
    path("utilisateurs/", views.utilisateurs, name="utilisateurs"),
    path("utilisateurs/<int:pk>/", views.acces_utilisateur, name="acces_utilisateur"),
    path("profil/", views.profil, name="profil"),
    path("profil/jetons/<int:pk>/revoquer/", views.revoquer_jeton, name="revoquer_jeton"),
    path("accessibilite/", views.accessibilite, name="accessibilite"),
    path("mentions-legales/", views.mentions_legales, name="mentions_legales"),
]
