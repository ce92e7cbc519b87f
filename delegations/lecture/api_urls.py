from django.urls import path

from .api import ConfirmerView, ImportView

urlpatterns = [
    path("conventions/import", ImportView.as_view(), name="import"),
    path(
        "conventions/import/<str:jeton>/confirmer", ConfirmerView.as_view(), name="import-confirmer"
    ),
]
