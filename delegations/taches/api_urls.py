from django.urls import path

from .api import TacheView

urlpatterns = [path("taches/<uuid:pk>", TacheView.as_view(), name="tache")]
