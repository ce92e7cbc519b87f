from django.urls import path

from . import views

app_name = "produits"
urlpatterns = [
    path("", views.liste, name="liste"),
    path("nouveau/", views.creer, name="creer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.modifier, name="modifier"),
    path("<int:pk>/phases/", views.phase_ajouter, name="phase_ajouter"),
]
