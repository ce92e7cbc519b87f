from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import ConnexionForm


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
