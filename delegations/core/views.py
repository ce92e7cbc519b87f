from __future__ import annotations

import logging
import sys

from django.contrib.auth import views as auth_views
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import ConnexionForm

logger = logging.getLogger(__name__)


class ConnexionView(auth_views.LoginView):
    template_name = "core/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}


def accueil(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("conventions:liste")
    return redirect("core:login")


def accessibilite(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibilite.html", {"title": "Accessibilité"})


def mentions_legales(request: HttpRequest) -> HttpResponse:
    return render(request, "core/mentions_legales.html", {"title": "Mentions légales"})


def base_injoignable(exc: BaseException | None) -> bool:
    """The database cannot be reached (down, refused, timed out), not a bug in a query."""
    return isinstance(exc, OperationalError | InterfaceError)


def erreur_serveur(request: HttpRequest) -> HttpResponse:
    """handler500: the French 500 page, or the 503 page when the database is unreachable.

    Rendered without the database: the visitor is shown as anonymous (loading the user would
    query the database again, or a transaction that just failed).
    """
    request.user = AnonymousUser()
    exc = sys.exc_info()[1]
    if base_injoignable(exc):
        logger.error("Base de données injoignable : %s", str(exc).strip().splitlines()[0:1])
        reponse = render(request, "503.html", {"base_injoignable": True}, status=503)
        reponse["Retry-After"] = "60"
        return reponse
    return render(request, "500.html", status=500)
