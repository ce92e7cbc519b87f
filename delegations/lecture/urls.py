from django.urls import path

from . import views

app_name = "lecture"
urlpatterns = [
    path("importer/", views.importer, name="importer"),
    path("importer/confirmer/", views.confirmer, name="confirmer"),
    path("importer/<uuid:pk>/revue/", views.revue, name="revue"),
    path("documents/<int:pk>/", views.telecharger, name="telecharger"),
]
