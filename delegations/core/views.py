from __future__ import annotations

import logging
import sys
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .acces import RequeteAuthentifiee
from .forms import AccesUtilisateurForm, ConnexionForm, JetonForm
from .models import JetonAPI, Role, User, journaliser

logger = logging.getLogger(__name__)


class ConnexionView(auth_views.LoginView):
    template_name = "core/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # The ProConnect button only when PROCONNECT_ISSUER is set.
        return super().get_context_data(
            title="Connexion", proconnect=bool(settings.PROCONNECT_ISSUER), **kwargs
        )


def accueil(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("conventions:liste")
    return redirect("core:login")


def accessibilite(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibilite.html",
        {
            "title": "Accessibilité",
            "breadcrumb_data": {"links": [], "current": "Déclaration d'accessibilité"},
        },
    )


def mentions_legales(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/mentions_legales.html",
        {
            "title": "Mentions légales",
            "breadcrumb_data": {"links": [], "current": "Mentions légales"},
        },
    )


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
def profil(request: RequeteAuthentifiee) -> HttpResponse:
    """The user's profile: their roles and administrations, their API keys (create, revoke).

    A new key is shown once, in this response only (never stored in clear, nor in the session).
    """
    nouvelle_cle = None
    form = JetonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            jeton, nouvelle_cle = JetonAPI.creer(request.user, form.cleaned_data["nom"])
            journaliser(jeton, request.user, "jeton_api_cree", f"Jeton d'API {jeton}")
        form = JetonForm()
    jetons = JetonAPI.objects.filter(user=request.user)
    return render(
        request,
        "core/profil.html",
        {
            "title": "Mon profil",
            "breadcrumb_data": {"links": [], "current": "Mon profil"},
            "form": form,
            "jetons": jetons,
            "nouvelle_cle": nouvelle_cle,
            "api_token_days": settings.API_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoquer_jeton(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
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


@login_required
def en_attente(request: RequeteAuthentifiee) -> HttpResponse:
    """What a ProConnect user without any role sees: who can give them access."""
    if getattr(request.user, "role", None) != Role.ATTENTE:
        return redirect("core:accueil")
    return render(request, "core/en_attente.html", {"title": "Accès en attente"})


def _exiger_administrateur(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or getattr(user, "role", None) == Role.ADMIN):
        raise PermissionDenied("Seuls les administrateurs de Délégations donnent les accès.")


@login_required
def utilisateurs(request: RequeteAuthentifiee) -> HttpResponse:
    """Administrators: the accounts, those waiting for access first."""
    _exiger_administrateur(request)
    comptes = User.objects.prefetch_related("administrations").order_by(
        Case(When(role=Role.ATTENTE, then=0), default=1), "last_name", "email"
    )
    return render(
        request,
        "core/utilisateurs.html",
        {"title": "Utilisateurs et accès", "comptes": comptes, "attente": Role.ATTENTE},
    )


@login_required
def acces_utilisateur(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """Administrators give a role and administrations to an account (e.g. one « en attente »)."""
    _exiger_administrateur(request)
    compte = get_object_or_404(User, pk=pk)
    form = AccesUtilisateurForm(request.POST or None, instance=compte)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            avant = {"role": compte.role}
            form.save()
            journaliser(
                compte,
                request.user,
                "acces_modifie",
                f"Rôle : {compte.get_role_display()}",
                {"role": [avant["role"], compte.role]},
            )
        messages.success(request, f"Les accès de {compte.email} sont enregistrés.")
        return redirect("core:utilisateurs")
    return render(
        request,
        "core/acces_utilisateur.html",
        {"title": f"Accès de {compte.email}", "compte": compte, "form": form},
    )
