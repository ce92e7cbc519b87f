from django.urls import path

from . import views

app_name = "rapports"
urlpatterns = [
    path("conventions/<int:pk>/", views.rapport, name="rapport"),
    path("conventions/<int:pk>/telecharger/<str:format>/", views.telecharger, name="telecharger"),
    path("conventions/<int:pk>/preparer/<str:format>/", views.preparer, name="preparer"),
    path("conventions/<int:pk>/transmis/", views.transmis, name="transmis"),
]
