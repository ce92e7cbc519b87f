"""Security middleware and helpers: Permissions-Policy, idle sessions, the login throttle's
account and address (django-axes)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

if TYPE_CHECKING:
    from .models import User


class EntetesSecuriteMiddleware:
    """Adds ``Permissions-Policy`` (settings.PERMISSIONS_POLICY) to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def identifiant_tente(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The login typed, lower-cased: « Finance » and « finance » count as one account."""
    return str((credentials or {}).get("username") or "").strip().lower()


def adresse_client(request: HttpRequest) -> str:
    """The visitor's address: ADRESSE_CLIENT_ENTETE as set by the reverse proxy, else REMOTE_ADDR."""
    entete = settings.ADRESSE_CLIENT_ENTETE
    if entete and request.META.get(entete):
        return str(request.META[entete]).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


CLE_ACTIVITE = "derniere_activite"
# The last activity is written at most this often (seconds): not one session write per request.
PAS_ACTIVITE = 60


@receiver(user_logged_in)
def noter_connexion(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[CLE_ACTIVITE] = int(time.time())


class SessionInactiveMiddleware:
    """Ends a session unused for SESSION_IDLE_MINUTES: the next request is anonymous (pages then
    ask to log in again, with a French message)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and CLE_ACTIVITE in session:
            maintenant = int(time.time())
            derniere = int(session.get(CLE_ACTIVITE, 0))
            if maintenant - derniere > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"Votre session a expiré après {settings.SESSION_IDLE_MINUTES} minutes "
                    "sans activité : reconnectez-vous.",
                )
            elif maintenant - derniere >= PAS_ACTIVITE:
                session[CLE_ACTIVITE] = maintenant
        return self.get_response(request)


class AccesEnAttenteMiddleware:
    """A user « en attente » (ProConnect login, no role yet) reaches only the waiting page,
    the logout and the public pages' assets: never any data by default."""

    PERMIS = ("/en-attente/", "/deconnexion/", "/oidc/", "/static/", "/accessibilite/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "role", None) == "attente"
            and not user.is_superuser
            and not request.path.startswith(self.PERMIS)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "code": "acces_en_attente",
                        "message": "Votre compte attend qu'un administrateur vous donne accès.",
                    },
                    status=403,
                )
            return redirect("core:en_attente")
        return self.get_response(request)
