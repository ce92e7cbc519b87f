from django.urls import path

from . import views

app_name = "taches"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("<uuid:pk>/", views.detail, name="detail"),
    path("<uuid:pk>/progression/", views.progression, name="progression"),
    path("<uuid:pk>/fichier/", views.fichier, name="fichier"),
]
