"""URLs of the error-page tests: the project's URLs plus views that fail on purpose."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from delegations.urls import urlpatterns as projet


def boum(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("panne voulue par le test")


def base_perdue(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 1 failed: refused')


urlpatterns = [path("boum/", boum), path("base-perdue/", base_perdue), *projet]
handler500 = "delegations.core.views.erreur_serveur"
