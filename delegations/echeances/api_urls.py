from django.urls import path, re_path

from .api import EcheancesIcalView, EcheancesView

urlpatterns = [
    path("echeances.ics", EcheancesIcalView.as_view(), name="echeances-ics"),
    re_path(r"^echeances/?$", EcheancesView.as_view(), name="echeances"),
]
