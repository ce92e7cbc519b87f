from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .forms import ConnexionForm, JetonForm
from .models import JetonAPI, journaliser

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


@login_required
def profil(request: HttpRequest) -> HttpResponse:
    """The user's profile: their roles and administrations, their API keys (create, revoke).

    A new key is shown once, in this response only (never stored in clear, nor in the session).
    """
    nouvelle_cle = None
    form = JetonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            jeton, nouvelle_cle = JetonAPI.creer(request.user, form.cleaned_data["nom"])  # type: ignore[arg-type]
            journaliser(jeton, request.user, "jeton_api_cree", f"Jeton d'API {jeton}")
        form = JetonForm()
    jetons = JetonAPI.objects.filter(user=request.user)  # type: ignore[misc]
    return render(
        request,
        "core/profil.html",
        {
            "title": "Mon profil",
            "form": form,
            "jetons": jetons,
            "nouvelle_cle": nouvelle_cle,
            "api_token_days": settings.API_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoquer_jeton(request: HttpRequest, pk: int) -> HttpResponse:
    """Revokes one of the user's own keys (another user's key: 404)."""
    with transaction.atomic():
        jeton = get_object_or_404(
            JetonAPI.objects.select_for_update().filter(revoque_le__isnull=True),
            pk=pk,
            user=request.user,
        )
        jeton.revoque_le = timezone.now()
        jeton.save(update_fields=["revoque_le"])
        journaliser(jeton, request.user, "jeton_api_revoque", f"Jeton d'API {jeton}")
    messages.success(request, f"Le jeton « {jeton.nom} » ({jeton.prefixe}…) est révoqué.")
    return redirect("core:profil")
